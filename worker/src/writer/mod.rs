//! The writers: what turns a ticket and its [`TicketContext`] into the Markdown of a note. [`Writer`] is the
//! interface the synthesize stage calls; two implement it:
//!
//! - [`offline`]: [`OfflineWriter`], deterministic, no network; the default (`llm.provider = "offline"`).
//! - [`llm`]: [`llm::OpenAiWriter`], any OpenAI-compatible chat-completion server, with its client pieces.
//!
//! Both say the same sentence in a section their context left empty ([`empty`]).

pub mod empty;
pub mod llm;
pub mod offline;

use async_trait::async_trait;
use enhancer_shared::domain::Ticket;
use enhancer_shared::error::Disposition;
use enhancer_shared::tenant::TenantSettings;

use crate::context::TicketContext;
use crate::stages::{Stage, StageError};

pub use offline::OfflineWriter;

/// What a writer produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enhancement {
    pub markdown: String,
    /// The model that wrote it, or [`OFFLINE_MODEL`].
    pub model: String,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
}

#[async_trait]
pub trait Writer: Send + Sync + std::fmt::Debug {
    /// Writes the note's Markdown (without the footer, which the job appends) with the tenant's settings
    /// applied where the writer has knobs (model, temperature, prompt, redaction); writers without them
    /// ignore `settings`. A failure is a synthesize-stage error carrying its retry class
    /// ([`StageError::disposition`]): transient (the next attempt may succeed) or permanent.
    async fn write(
        &self,
        ticket: &Ticket,
        context: &TicketContext,
        settings: &TenantSettings,
    ) -> Result<Enhancement, StageError>;
}

/// The `model` value of the offline writer.
pub const OFFLINE_MODEL: &str = "offline";

/// A writer's failure, classified by the writer.
pub fn writer_error(disposition: Disposition, message: impl Into<String>) -> StageError {
    StageError::new(Stage::Synthesize, disposition, message)
}
