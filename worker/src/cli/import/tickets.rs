//! Imported tickets: validated into a row of the `tickets` corpus, with the addresses found in the subject
//! and description, and upserted by `(tenant_id, ticket_id)`.

use chrono::{DateTime, Utc};
use enhancer_shared::ip_extract;
use sqlx::PgPool;

use super::fields::Fields;

pub const FIELDS: &[&str] =
    &["ticket_id", "subject", "description", "resolution", "status", "priority", "opened_at", "resolved_at", "url"];
pub const REQUIRED: &[&str] = &["ticket_id", "subject"];

const PRIORITIES: &[&str] = &["critical", "high", "medium", "low"];

#[derive(Debug)]
pub struct TicketRow {
    pub ticket_id: String,
    subject: String,
    description: String,
    resolution: Option<String>,
    status: Option<String>,
    priority: Option<&'static str>,
    opened_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    url: Option<String>,
    ip_addresses: Vec<String>,
}

pub fn validate(fields: &Fields) -> Result<TicketRow, String> {
    fields.check_known(FIELDS)?;
    let subject = fields.required("subject")?.to_owned();
    let description = fields.owned("description").unwrap_or_default();
    let opened_at = fields.timestamp("opened_at")?;
    let resolved_at = fields.timestamp("resolved_at")?;
    if let (Some(opened), Some(resolved)) = (opened_at, resolved_at)
        && resolved < opened
    {
        return Err("resolved_at is before opened_at".into());
    }
    Ok(TicketRow {
        ticket_id: fields.id("ticket_id")?,
        ip_addresses: ip_extract::extract(&format!("{subject}\n{description}")),
        subject,
        description,
        resolution: fields.owned("resolution"),
        status: fields.owned("status"),
        priority: fields.one_of("priority", PRIORITIES)?,
        opened_at,
        resolved_at,
        url: fields.url("url")?,
    })
}

/// One statement, so a row is written whole or not at all. True when the row is new. The source stays
/// what it was for a ticket the webhook path indexed first.
pub async fn upsert(pool: &PgPool, tenant: &str, row: &TicketRow) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, status, priority, \
                              ip_addresses, url, source, opened_at, resolved_at, indexed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[]::inet[], $9, 'import', $10, $11, now()) \
         ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET \
             subject = EXCLUDED.subject, description = EXCLUDED.description, resolution = EXCLUDED.resolution, \
             status = EXCLUDED.status, priority = EXCLUDED.priority, ip_addresses = EXCLUDED.ip_addresses, \
             url = EXCLUDED.url, opened_at = EXCLUDED.opened_at, resolved_at = EXCLUDED.resolved_at, \
             indexed_at = now() \
         RETURNING (xmax = 0)",
    )
    .bind(tenant)
    .bind(&row.ticket_id)
    .bind(&row.subject)
    .bind(&row.description)
    .bind(&row.resolution)
    .bind(&row.status)
    .bind(row.priority)
    .bind(&row.ip_addresses)
    .bind(&row.url)
    .bind(row.opened_at)
    .bind(row.resolved_at)
    .fetch_one(pool)
    .await
}
