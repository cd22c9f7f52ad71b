//! Imported tickets: a file's fields validated into a [`TicketRow`] of the corpus; the write (and the
//! addresses found in subject and description) is [`corpus::import::ticket`](crate::corpus::import::ticket).

use crate::corpus::import::TicketRow;

use super::fields::Fields;

pub const FIELDS: &[&str] =
    &["ticket_id", "subject", "description", "resolution", "status", "priority", "opened_at", "resolved_at", "url"];
pub const REQUIRED: &[&str] = &["ticket_id", "subject"];

const PRIORITIES: &[&str] = &["critical", "high", "medium", "low"];

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
        subject,
        description,
        resolution: fields.owned("resolution"),
        status: fields.owned("status"),
        priority: fields.one_of("priority", PRIORITIES)?.map(str::parse).transpose()?,
        opened_at,
        resolved_at,
        url: fields.url("url")?,
    })
}
