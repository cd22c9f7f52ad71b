//! The LLM provider (`llm.provider = "openai"`): any OpenAI-compatible chat-completion server (OpenAI,
//! Azure's OpenAI-compatible endpoint, Ollama, vLLM) writes the note from the ticket and its context.
//!
//! - [`client`]: async-openai over our own HTTP client, timeouts set, library retries off.
//! - [`wire`]: the request and a lenient view of the answer.
//! - [`prompt`]: the versioned instructions and the delimited, untrusted data.
//! - [`redact`](mod@redact): e-mail addresses and phone numbers out before sending, back in the note.
//! - [`error`]: what each failure means for the job (transient or permanent).
//! - [`openai`]: [`OpenAiWriter`], the [`crate::writer::Writer`] tying them together.

pub mod client;
pub mod error;
pub mod openai;
pub mod output;
pub mod prompt;
pub mod redact;
pub mod wire;

pub use client::ClientSettings;
pub use error::LlmError;
pub use openai::{LlmOptions, OpenAiWriter};
pub use prompt::PROMPT_VERSION;
pub use redact::{Redactions, redact, restore};
