//! The slow scenario's writer: stands in for an LLM call that takes a fixed time and costs nothing else.

use std::time::Duration;

use async_trait::async_trait;
use enhancer_shared::domain::Ticket;
use enhancer_shared::tenant::TenantSettings;
use enhancer_worker::context::TicketContext;
use enhancer_worker::stages::StageError;
use enhancer_worker::writer::{Enhancement, Writer};

/// What a model might have written; the same for every ticket.
const MARKDOWN: &str = "## Summary\n\nThe VPN client disconnects every ten minutes since this morning.\n\n\
                        ## Suggested next steps\n\n1. Check the gateway's session timeout.\n\
                        2. Compare with last night's client update.\n";

/// Sleeps `delay` (a timer, no thread), then returns [`MARKDOWN`].
#[derive(Debug, Clone, Copy)]
pub struct SleepingWriter {
    pub delay: Duration,
}

#[async_trait]
impl Writer for SleepingWriter {
    async fn write(
        &self,
        _ticket: &Ticket,
        _context: &TicketContext,
        _settings: &TenantSettings,
    ) -> Result<Enhancement, StageError> {
        tokio::time::sleep(self.delay).await;
        Ok(Enhancement {
            markdown: MARKDOWN.to_owned(),
            model: "bench-sleep".into(),
            prompt_tokens: None,
            completion_tokens: None,
        })
    }
}
