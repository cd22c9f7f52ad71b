//! The semantic floors measured per embedding model: what a note is cut at when `embeddings.ticket_floor`
//! and `embeddings.article_floor` are not set.
//!
//! A model's cosines have their own scale (on the labelled set a past ticket of another problem scores 0.14
//! on average with all-MiniLM-L6-v2, 0.48 with nomic-embed-text-v1.5), so one pair of constants cannot serve
//! every model: at MiniLM's floors nomic's notes showed an article in every note of a family without one.
//! Each pair below is what `quality --tune-only --calibrate --embeddings ...` chose for that model by the
//! rule of `enhancer_worker::corpus::search::relevance`, on the calibration queries only
//! (docs/BENCHMARKS.md, "Context search quality"). A model not listed is cut at MiniLM's and the worker
//! warns at start; a floor that is set always wins.

/// The least scores (cosine plus a fifth of the lexical share) of a similar ticket and of an article that a
/// note shows, when ranked by one model's cosines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Floors {
    pub ticket: f32,
    pub article: f32,
}

/// Where a worker's floors came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloorsSource {
    /// Both measured for the configured model (the table below).
    Measured,
    /// At least one set in the configuration; the other, if unset, the model's measured one.
    Configured,
    /// The model was never measured and a floor is unset: all-MiniLM-L6-v2's stands in, which may let
    /// through what this model's scale scores high. The worker warns at start.
    Unmeasured,
}

/// all-MiniLM-L6-v2's floors, chosen on the first labelled set (2026-12-03, VM-4) and confirmed by the rule
/// since; they stand in for a model that was never measured.
pub const MINILM: Floors = Floors { ticket: 0.55, article: 0.65 };

/// The measured models, by [`model_key`] of the names their servers answer to.
const MEASURED: [(&str, Floors); 4] = [
    ("all-minilm-l6-v2", MINILM),
    // Ollama's name for all-MiniLM-L6-v2 (`all-minilm`, `all-minilm:latest`).
    ("all-minilm", MINILM),
    // VM-11, served by tests/semantic/mpnet.sh (the sentence-transformers forward pass, f32).
    ("all-mpnet-base-v2", Floors { ticket: 0.50, article: 0.65 }),
    // VM-9, served by llama.cpp from nomic-ai's f16 GGUF file (tests/semantic/nomic.sh).
    ("nomic-embed-text-v1.5", Floors { ticket: 0.75, article: 0.85 }),
];

/// A model's name as the table knows it: lower case, without an organisation (`sentence-transformers/`)
/// or Ollama's `:latest`, and Ollama's tag joined by a hyphen (`nomic-embed-text:v1.5` is
/// `nomic-embed-text-v1.5`).
fn model_key(model: &str) -> String {
    let name = model.trim().rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    name.strip_suffix(":latest").unwrap_or(&name).replace(':', "-")
}

/// The floors measured for `model`, if it was.
fn measured(model: &str) -> Option<Floors> {
    let key = model_key(model);
    MEASURED.iter().find(|(name, _)| *name == key).map(|(_, floors)| *floors)
}

/// The floors a worker cuts at: each one set wins, then the model's measured one, then MiniLM's.
pub fn resolve(model: Option<&str>, ticket: Option<f32>, article: Option<f32>) -> (Floors, FloorsSource) {
    let measured = model.and_then(measured);
    let base = measured.unwrap_or(MINILM);
    let floors = Floors { ticket: ticket.unwrap_or(base.ticket), article: article.unwrap_or(base.article) };
    let source = if ticket.is_some() && article.is_some() {
        FloorsSource::Configured
    } else if measured.is_none() {
        FloorsSource::Unmeasured
    } else if ticket.is_some() || article.is_some() {
        FloorsSource::Configured
    } else {
        FloorsSource::Measured
    };
    (floors, source)
}
