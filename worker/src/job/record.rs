//! The record step: the run's completion and the ticket's corpus upsert, as one statement. One round trip
//! and one commit instead of two: the commit's WAL flush is a large share of a job's database cost
//! (docs/BENCHMARKS.md).

use std::sync::LazyLock;

use enhancer_shared::domain::EnhancementJob;
use sqlx::PgPool;
use uuid::Uuid;

use super::history::{self, COMPLETE, COMPLETE_PARAMS, Completion, StageTimes, bind_completion};
use crate::corpus;
use crate::stages::gather::Gathered;
use crate::stages::update::Posted;
use crate::stages::{Stage, StageError};
use crate::writer::Enhancement;

/// `WITH earlier AS (<completion>) <corpus upsert>`: both writes commit or fail together.
static COMPLETE_AND_INDEX: LazyLock<String> = LazyLock::new(|| corpus::webhook_upsert_after(COMPLETE, COMPLETE_PARAMS));

/// Records the completed enhancement and grows the corpus with the ticket, as gathered (with its
/// addresses, and the resolution the tool already has).
pub(super) async fn record(
    pool: &PgPool,
    job: &EnhancementJob,
    enhancement_id: Uuid,
    times: StageTimes,
    gathered: &Gathered,
    enhancement: &Enhancement,
    posted: &Posted,
) -> Result<(), StageError> {
    let note = &posted.note_ref().0;
    let completion = Completion {
        times,
        model: Some(enhancement.model.clone()),
        prompt_tokens: enhancement.prompt_tokens.and_then(|t| i32::try_from(t).ok()),
        completion_tokens: enhancement.completion_tokens.and_then(|t| i32::try_from(t).ok()),
        note_ref: Some(note.clone()),
        ignored_reason: None,
    };
    complete_and_index(pool, job.tenant_id.as_str(), enhancement_id, &completion, gathered)
        .await
        .map_err(|err| StageError::from_error(Stage::Record, &err))?;
    tracing::info!(
        note = %note,
        gather_ms = times.gather_ms.unwrap_or_default(),
        synthesize_ms = times.synthesize_ms.unwrap_or_default(),
        update_ms = times.update_ms.unwrap_or_default(),
        "enhancement posted"
    );
    Ok(())
}

/// The note is already posted, so the completion is what must not be lost: if the combined statement
/// fails, the completion is written on its own and the corpus error only logged (the next event about the
/// ticket indexes it again).
async fn complete_and_index(
    pool: &PgPool,
    tenant: &str,
    enhancement_id: Uuid,
    done: &Completion,
    gathered: &Gathered,
) -> Result<(), sqlx::Error> {
    let ticket = &gathered.ticket;
    let combined = bind_completion(sqlx::query(COMPLETE_AND_INDEX.as_str()), enhancement_id, done);
    let combined =
        corpus::bind_ticket(combined, tenant, ticket, &gathered.context.addresses, ticket.resolution.as_deref());
    match combined.execute(pool).await {
        Ok(_) => Ok(()),
        Err(err) => {
            history::complete(pool, enhancement_id, done).await?;
            tracing::warn!(error = %err, "cannot index the ticket into the corpus");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_combined_statement_numbers_every_parameter_once() {
        let sql = COMPLETE_AND_INDEX.as_str();
        for n in 1..=COMPLETE_PARAMS + 10 {
            assert!(sql.contains(&format!("${n}")), "${n} missing from {sql}");
        }
        assert!(!sql.contains(&format!("${}", COMPLETE_PARAMS + 11)));
    }
}
