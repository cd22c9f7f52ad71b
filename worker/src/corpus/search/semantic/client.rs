//! The client of the embedding server: one `POST {base_url}/embeddings` per note, in the OpenAI format
//! that vLLM, Ollama, Hugging Face TEI and OpenAI all serve (`{"model", "input": [texts]}` answered by
//! `{"data": [{"index", "embedding"}]}`). Its HTTP client is [`crate::service_client`]'s: timeouts, no
//! redirects, no proxy, the outbound address policy.

use std::time::Duration;

use enhancer_shared::config::EmbeddingsConfig;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::corpus::search::relevance::{Cutoff, SEMANTIC_ARTICLES, SEMANTIC_TICKETS};
use crate::service_client::{self, ServiceEndpoint};

/// Connecting is quick or not at all.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// A text is clipped to this many characters before it is sent: sentence-embedding models read the first
/// 256 to 512 tokens, so more only costs bandwidth.
const MAX_TEXT_CHARS: usize = 2_000;
/// The longest answer read: 64 texts of 4,096 dimensions as JSON fit well inside it.
const MAX_ANSWER_BYTES: usize = 16 << 20;

/// Why no embeddings came back. Never a job's failure: the note is ranked lexically instead
/// (`super::rerank`), so there is no retry disposition to carry.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddingError {
    #[error("embeddings: {0}")]
    Config(String),
    /// The transport's error and its causes, without the URL (as every outbound error here: a URL may hold
    /// what the logs must not).
    #[error("embeddings: request failed: {0}")]
    Http(String),
    #[error("embeddings: the server answered {0}")]
    Status(reqwest::StatusCode),
    #[error("embeddings: malformed answer: {0}")]
    Malformed(String),
    #[error("embeddings: no ranking within {0:?} (the wait for a request slot included)")]
    TimedOut(Duration),
}

/// One embedding endpoint and model.
#[derive(Debug, Clone)]
pub struct Embedder {
    http: reqwest::Client,
    url: url::Url,
    model: String,
    api_key: Option<SecretString>,
    /// `embeddings.timeout_secs`: of the whole semantic ranking of a note, the request included.
    timeout: Duration,
    /// `embeddings.nearest`: documents nearest in meaning added to a note's candidates, of each kind.
    nearest: usize,
    /// The cut-offs of this model's scores, tickets then articles: `embeddings.ticket_floor` and
    /// `embeddings.article_floor`, or the model's measured floors ([`EmbeddingsConfig::floors`]).
    cutoffs: (Cutoff, Cutoff),
}

#[derive(Serialize)]
struct Request<'a> {
    model: &'a str,
    input: Vec<&'a str>,
}

#[derive(Deserialize)]
struct Answer {
    data: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    index: usize,
    embedding: Vec<f32>,
}

impl Embedder {
    /// From `[embeddings]`; `None` when no `base_url` is set (the feature is off).
    pub fn from_config(config: &EmbeddingsConfig) -> Result<Option<Self>, EmbeddingError> {
        let Some(base_url) = config.base_url.as_deref() else { return Ok(None) };
        let model = config.model.clone().filter(|m| !m.trim().is_empty());
        let model = model.ok_or_else(|| EmbeddingError::Config("embeddings.model is not set".into()))?;
        let (base, http) = service_client::build(&ServiceEndpoint {
            key: "embeddings.base_url",
            base_url,
            connect_timeout: CONNECT_TIMEOUT,
            timeout: Duration::from_secs(config.timeout_secs),
            allow_private_base_url: config.allow_private_base_url,
            private_setting: "ENHANCER_EMBEDDINGS__ALLOW_PRIVATE_BASE_URL",
        })
        .map_err(EmbeddingError::Config)?;
        let url = url::Url::parse(&format!("{base}/embeddings"))
            .map_err(|err| EmbeddingError::Config(format!("embeddings.base_url: {err}")))?;
        let timeout = Duration::from_secs(config.timeout_secs);
        let (floors, _) = config.floors();
        let cutoffs = (
            Cutoff { floor: floors.ticket, ..SEMANTIC_TICKETS },
            Cutoff { floor: floors.article, ..SEMANTIC_ARTICLES },
        );
        let api_key = config.api_key.clone();
        Ok(Some(Self { http, url, model, api_key, timeout, nearest: config.nearest, cutoffs }))
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// `embeddings.nearest`: how many documents of each kind nearest in meaning a note adds to its
    /// candidates (`super::nearest`).
    pub fn nearest(&self) -> usize {
        self.nearest
    }

    /// What a note shows of the similar tickets and of the articles ranked by this model's scores.
    pub fn cutoffs(&self) -> (Cutoff, Cutoff) {
        self.cutoffs
    }

    /// The model's name: the stored vectors are its (`super::store`).
    pub fn model(&self) -> &str {
        &self.model
    }

    /// Each text's embedding, in order, scaled to unit length (so a dot product is the cosine).
    pub async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbeddingError> {
        self.embed_within(texts, self.timeout).await
    }

    /// [`Embedder::embed`] with a request that may take up to `limit` rather than the note's
    /// `embeddings.timeout_secs` (the backfill's batches).
    pub async fn embed_within(&self, texts: &[String], limit: Duration) -> Result<Vec<Vec<f32>>, EmbeddingError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let input = texts.iter().map(|t| clip(t)).collect();
        let mut request = self.http.post(self.url.clone()).timeout(limit).json(&Request { model: &self.model, input });
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose_secret());
        }
        let transport =
            |err: reqwest::Error| if err.is_timeout() { EmbeddingError::TimedOut(limit) } else { http(err) };
        let mut response = request.send().await.map_err(transport)?;
        if !response.status().is_success() {
            return Err(EmbeddingError::Status(response.status()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(EmbeddingError::Malformed(format!("longer than {MAX_ANSWER_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        let answer: Answer = serde_json::from_slice(&body).map_err(|err| EmbeddingError::Malformed(err.to_string()))?;
        vectors(answer, texts.len())
    }
}

/// The transport's failure, as the other outbound clients report one.
fn http(err: reqwest::Error) -> EmbeddingError {
    EmbeddingError::Http(enhancer_plugins::http::without_url(err))
}

/// The answer's vectors in the order of the input, checked (one per text, one dimension, finite, not all
/// zero) and normalized.
fn vectors(answer: Answer, expected: usize) -> Result<Vec<Vec<f32>>, EmbeddingError> {
    let malformed = |what: String| Err(EmbeddingError::Malformed(what));
    if answer.data.len() != expected {
        return malformed(format!("{} embeddings for {expected} texts", answer.data.len()));
    }
    let mut out: Vec<Option<Vec<f32>>> = vec![None; expected];
    let dimensions = answer.data[0].embedding.len();
    for item in answer.data {
        let Some(slot) = out.get_mut(item.index) else { return malformed(format!("index {}", item.index)) };
        if slot.is_some() || item.embedding.len() != dimensions || dimensions == 0 {
            return malformed(format!("index {} repeated or of another dimension", item.index));
        }
        let norm = item.embedding.iter().map(|x| x * x).sum::<f32>().sqrt();
        if !norm.is_finite() || norm == 0.0 {
            return malformed(format!("index {}: not a direction", item.index));
        }
        *slot = Some(item.embedding.into_iter().map(|x| x / norm).collect());
    }
    Ok(out.into_iter().flatten().collect())
}

/// At most [`MAX_TEXT_CHARS`] characters, cut at a character boundary.
fn clip(text: &str) -> &str {
    text.char_indices().nth(MAX_TEXT_CHARS).map_or(text, |(at, _)| &text[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(items: &[(usize, &[f32])]) -> Answer {
        Answer { data: items.iter().map(|(index, e)| Item { index: *index, embedding: e.to_vec() }).collect() }
    }

    #[test]
    fn vectors_come_back_in_input_order_and_of_unit_length() {
        let got = vectors(answer(&[(1, &[0.0, 2.0]), (0, &[3.0, 4.0])]), 2).unwrap();
        assert_eq!(got, vec![vec![0.6, 0.8], vec![0.0, 1.0]]);
    }

    #[test]
    fn a_malformed_answer_is_refused() {
        assert!(vectors(answer(&[(0, &[1.0])]), 2).is_err(), "too few");
        assert!(vectors(answer(&[(0, &[1.0]), (0, &[1.0])]), 2).is_err(), "an index twice");
        assert!(vectors(answer(&[(0, &[1.0]), (2, &[1.0])]), 2).is_err(), "an index out of range");
        assert!(vectors(answer(&[(0, &[1.0]), (1, &[1.0, 0.0])]), 2).is_err(), "two dimensions");
        assert!(vectors(answer(&[(0, &[0.0])]), 1).is_err(), "all zero");
        assert!(vectors(answer(&[(0, &[f32::NAN])]), 1).is_err(), "not finite");
    }

    #[test]
    fn texts_are_clipped_at_a_character_boundary() {
        let long = "é".repeat(MAX_TEXT_CHARS + 10);
        assert_eq!(clip(&long).chars().count(), MAX_TEXT_CHARS);
        assert_eq!(clip("short"), "short");
    }

    #[test]
    fn a_measured_models_floors_cut_its_notes_unless_set() {
        let floors = |model: &str, ticket_floor: Option<f32>| {
            let config = EmbeddingsConfig {
                base_url: Some("http://127.0.0.1:8080/v1".into()),
                model: Some(model.into()),
                allow_private_base_url: true,
                ticket_floor,
                ..EmbeddingsConfig::default()
            };
            let (tickets, articles) = Embedder::from_config(&config).unwrap().unwrap().cutoffs();
            (tickets.floor, articles.floor)
        };
        assert_eq!(floors("sentence-transformers/all-mpnet-base-v2", None), (0.50, 0.65));
        assert_eq!(floors("nomic-embed-text-v1.5", None), (0.75, 0.85));
        assert_eq!(floors("nomic-embed-text-v1.5", Some(0.6)), (0.6, 0.85));
        assert_eq!(floors("a-model-never-measured", None), (SEMANTIC_TICKETS.floor, SEMANTIC_ARTICLES.floor));
    }
}
