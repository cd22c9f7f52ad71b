//! An embedding server in the OpenAI format beside the tools (`POST /v1/embeddings`), for the benchmarks of
//! the semantic ranking (`worker-bench --embeddings`): each text's vector is its words hashed into 384
//! dimensions (the hashing trick), so the answer is as large as a real model's and costs microseconds. Its
//! cosines say little about meaning: this measures what the semantic path costs, never what it is worth.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::state::Shared;

/// As all-MiniLM-L6-v2's.
const DIMENSIONS: usize = 384;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/v1/embeddings", post(embeddings))
}

async fn embeddings(Json(request): Json<Value>) -> Response {
    let texts: Vec<&str> = match &request["input"] {
        Value::String(text) => vec![text.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => return (StatusCode::BAD_REQUEST, "input must be a string or a list of strings").into_response(),
    };
    let data: Vec<Value> = texts
        .iter()
        .enumerate()
        .map(|(index, text)| json!({"object": "embedding", "index": index, "embedding": hashed(text)}))
        .collect();
    Json(json!({"object": "list", "data": data, "model": request["model"], "usage": {"prompt_tokens": 0, "total_tokens": 0}}))
        .into_response()
}

/// The text's lower-cased words, each adding one to the dimension its FNV-1a hash picks (a text without
/// words gets the first dimension).
fn hashed(text: &str) -> Vec<f32> {
    let mut vector = vec![0.0_f32; DIMENSIONS];
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let hash = word
            .to_lowercase()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        vector[(hash % DIMENSIONS as u64) as usize] += 1.0;
    }
    if vector.iter().all(|&x| x == 0.0) {
        vector[0] = 1.0;
    }
    vector
}
