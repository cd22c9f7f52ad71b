//! The record step: the run's completion and the ticket's corpus upsert, as one statement. One round trip
//! and one commit instead of two: the commit's WAL flush is a large share of a job's database cost
//! (docs/BENCHMARKS.md).

use std::sync::LazyLock;

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;
use uuid::Uuid;

use super::history::{self, COMPLETE, COMPLETE_PARAMS, Completion, bind_completion};
use crate::context::corpus::{UPSERT, bind_ticket};

/// `WITH completed AS (<completion>) <corpus upsert>`: a data-modifying CTE runs whether or not the outer
/// statement reads it, and both writes commit or fail together. The upsert's placeholders are shifted past
/// the completion's.
static COMPLETE_AND_INDEX: LazyLock<String> =
    LazyLock::new(|| format!("WITH completed AS ({COMPLETE}) {}", shift_placeholders(UPSERT, COMPLETE_PARAMS)));

/// The ticket as the corpus stores it.
#[derive(Debug)]
pub struct Indexed<'a> {
    pub tenant: &'a str,
    pub ticket: &'a Ticket,
    pub addresses: &'a [String],
    /// A resolution the tool already has; `None` keeps what the corpus holds.
    pub resolution: Option<&'a str>,
}

/// Records the completion and indexes the ticket. The note is already posted, so the completion is what
/// must not be lost: if the combined statement fails, the completion is written on its own and the corpus
/// error only logged (the next event about the ticket indexes it again).
pub async fn complete_and_index(
    pool: &PgPool,
    enhancement_id: Uuid,
    done: &Completion,
    indexed: &Indexed<'_>,
) -> Result<(), sqlx::Error> {
    let combined = bind_completion(sqlx::query(COMPLETE_AND_INDEX.as_str()), enhancement_id, done);
    let combined = bind_ticket(combined, indexed.tenant, indexed.ticket, indexed.addresses, indexed.resolution);
    match combined.execute(pool).await {
        Ok(_) => Ok(()),
        Err(err) => {
            history::complete(pool, enhancement_id, done).await?;
            tracing::warn!(error = %err, "cannot index the ticket into the corpus");
            Ok(())
        }
    }
}

/// `$1` becomes `$(1 + by)`, and so on for every placeholder; the statements involved hold no `$` inside
/// string literals.
fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        if let Ok(n) = digits.parse::<usize>() {
            out.push_str(&(n + by).to_string());
        } else {
            out.push_str(&digits);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_shifted_and_casts_kept() {
        assert_eq!(shift_placeholders("VALUES ($1, $10::text[], $2)", 8), "VALUES ($9, $18::text[], $10)");
        assert_eq!(shift_placeholders("no params", 8), "no params");
    }

    #[test]
    fn the_combined_statement_numbers_every_parameter_once() {
        let sql = COMPLETE_AND_INDEX.as_str();
        for n in 1..=COMPLETE_PARAMS + 10 {
            assert!(sql.contains(&format!("${n}")), "${n} missing from {sql}");
        }
        assert!(!sql.contains(&format!("${}", COMPLETE_PARAMS + 11)));
    }
}
