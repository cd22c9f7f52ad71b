//! The chat-completion request we send and the lenient view of the answer we read, used through
//! async-openai's `byot` ("bring your own types") methods.
//!
//! Why not async-openai's own types: they are strict, and "OpenAI-compatible" servers are not always.
//! `finish_reason: ""` fails with "unknown variant", and servers that leave out `object` or
//! `prompt_tokens_details` fail too (async-openai issues 283 and 352). Here every field we do not need is
//! ignored and every field we do need is optional, so only an answer without any text is refused.

use serde::{Deserialize, Serialize};

/// `POST {base}/chat/completions`. `max_tokens` rather than `max_completion_tokens`: it is the name every
/// OpenAI-compatible server (Azure, Ollama, vLLM) understands.
#[derive(Debug, Clone, Serialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub temperature: f32,
    pub max_tokens: u32,
    /// byot calls send the body as is, so non-streaming must be said explicitly.
    pub stream: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    pub role: &'static str,
    pub content: String,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> Self {
        Self { role: "system", content: content.into() }
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self { role: "user", content: content.into() }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ChatResponse {
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub choices: Vec<Choice>,
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Choice {
    #[serde(default)]
    pub message: Option<ResponseMessage>,
    /// Kept as text: `""`, `null` and values newer than this code are all accepted.
    #[serde(default)]
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResponseMessage {
    #[serde(default)]
    pub content: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub prompt_tokens: Option<u32>,
    #[serde(default)]
    pub completion_tokens: Option<u32>,
}

impl ChatResponse {
    /// The text of the first choice, if it has any.
    pub fn text(&self) -> Option<&str> {
        self.choices
            .first()
            .and_then(|c| c.message.as_ref())
            .and_then(|m| m.content.as_deref())
            .filter(|t| !t.trim().is_empty())
    }

    pub fn finish_reason(&self) -> Option<&str> {
        self.choices.first().and_then(|c| c.finish_reason.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_but_usable_answers_parse() {
        let body = r###"{"id":"x","choices":[{"index":0,"finish_reason":"","logprobs":null,
            "message":{"role":"assistant","content":"## Summary\nok","reasoning":"..."}}],
            "usage":{"prompt_tokens":12,"completion_tokens":3},"system_fingerprint":"fp","extra":{"a":1}}"###;
        let parsed: ChatResponse = serde_json::from_str(body).expect("lenient");
        assert_eq!(parsed.text(), Some("## Summary\nok"));
        assert_eq!(parsed.finish_reason(), Some(""));
        assert_eq!(parsed.model, None);
        assert_eq!(parsed.usage.and_then(|u| u.prompt_tokens), Some(12));
    }

    #[test]
    fn missing_fields_parse_and_empty_text_is_none() {
        let parsed: ChatResponse = serde_json::from_str(r#"{"choices":[{"message":{"content":null}}]}"#).expect("ok");
        assert_eq!(parsed.text(), None);
        let parsed: ChatResponse = serde_json::from_str("{}").expect("ok");
        assert_eq!(parsed.text(), None);
        assert!(parsed.usage.is_none());
    }

    #[test]
    fn temperature_serializes_as_written() {
        let request = ChatRequest {
            model: "m".into(),
            messages: vec![ChatMessage::user("hi")],
            temperature: 0.3,
            max_tokens: 10,
            stream: false,
        };
        let json = serde_json::to_string(&request).expect("serializes");
        assert!(json.contains(r#""temperature":0.3,"#), "{json}");
    }
}
