//! Which model answers behind the configured name. An operator may replace the model behind a name (an
//! Ollama tag pulled again, a TEI deployment re-pointed): the stored vectors are then another model's and
//! compare with the new ones as noise, with nothing to say so when the dimension is the same. So the
//! backfill embeds [`PROBE`] at the start of each full walk and compares it with the vector the model gave it
//! before (`embedding_probes`, one row per model name): unlike it, every stored vector of the name is deleted
//! and the backfill embeds the corpus again.
//!
//! Each worker also keeps the probe it saw last, so that a worker whose neighbour found the change first
//! still forgets the vectors it cached.

use std::sync::PoisonError;

use sqlx::PgPool;

use super::{EmbeddingError, Semantic, SemanticError};

/// A fixed text, any service-desk ticket: the same model gives it the same vector.
pub const PROBE: &str = "Printer on the third floor shows offline since the VPN client update this morning.";

/// At least this cosine between two probes is the same model. A server repeats a vector up to its
/// arithmetic (batching and GPU kernels move it by about 1e-3); another model's vector for the same text,
/// even a fine-tune of the same one, is further apart.
const SAME_MODEL: f32 = 0.99;

/// What a probe found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probed {
    /// The model is the one that made the stored vectors (or the first to be probed under its name).
    Same,
    /// Another model answers under the name: this many stored vectors were deleted.
    Changed { dropped: u64 },
}

/// Embeds [`PROBE`], compares it with the stored probe of the model's name (storing it when there is none),
/// and on a change deletes every stored vector of the name, of every tenant, in one transaction with the new
/// probe. Forgets the worker's cached vectors when the probe differs from the one it saw last.
pub async fn check(semantic: &Semantic, pool: &PgPool) -> Result<Probed, SemanticError> {
    let model = semantic.embedder.model();
    let vector = semantic
        .embedder
        .embed(&[PROBE.to_owned()])
        .await?
        .pop()
        .ok_or_else(|| EmbeddingError::Malformed("no vector for the probe".into()))?;
    let mut tx = pool.begin().await?;
    sqlx::query("INSERT INTO embedding_probes (model, vector) VALUES ($1, $2) ON CONFLICT (model) DO NOTHING")
        .bind(model)
        .bind(&vector)
        .execute(&mut *tx)
        .await?;
    // Locked: two workers finding the change at once delete once.
    let stored: Vec<f32> = sqlx::query_scalar("SELECT vector FROM embedding_probes WHERE model = $1 FOR UPDATE")
        .bind(model)
        .fetch_one(&mut *tx)
        .await?;
    let probed = if same_model(&stored, &vector) {
        Probed::Same
    } else {
        // Every tenant's: a scan of both tables (no index leads with the model), once per change of model.
        let mut dropped = 0;
        for statement in
            ["DELETE FROM ticket_embeddings WHERE model = $1", "DELETE FROM article_embeddings WHERE model = $1"]
        {
            dropped += sqlx::query(statement).bind(model).execute(&mut *tx).await?.rows_affected();
        }
        sqlx::query("UPDATE embedding_probes SET vector = $2, probed_at = now() WHERE model = $1")
            .bind(model)
            .bind(&vector)
            .execute(&mut *tx)
            .await?;
        Probed::Changed { dropped }
    };
    tx.commit().await?;
    // The probe this worker saw last: another one means its cached vectors are the old model's.
    let mut seen = semantic.seen_probe.lock().unwrap_or_else(PoisonError::into_inner);
    if seen.as_deref().is_some_and(|before| !same_model(before, &vector)) {
        semantic.cache.clear();
    }
    *seen = Some(vector);
    drop(seen);
    if let Probed::Changed { dropped } = probed {
        semantic.outcomes.model_changed();
        tracing::warn!(model, dropped, "another embedding model answers under the same name: its vectors dropped");
    }
    Ok(probed)
}

/// Two probes of the same model: the same dimension and a cosine of at least [`SAME_MODEL`].
pub fn same_model(a: &[f32], b: &[f32]) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norms = a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|x| x * x).sum::<f32>().sqrt();
    norms > 0.0 && dot / norms >= SAME_MODEL
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_model_within_its_arithmetic_and_no_other() {
        let probe = [0.6, 0.8, 0.0];
        assert!(same_model(&probe, &[0.6, 0.8, 0.0]));
        assert!(same_model(&probe, &[0.601, 0.799, 0.001]), "rounding");
        assert!(same_model(&probe, &[1.2, 1.6, 0.0]), "the length does not matter");
        assert!(!same_model(&probe, &[0.8, 0.6, 0.0]), "another model");
        assert!(!same_model(&probe, &[0.6, 0.8, 0.0, 0.0]), "another dimension");
        assert!(!same_model(&[], &[]) && !same_model(&[0.0, 0.0], &[0.0, 0.0]));
    }
}
