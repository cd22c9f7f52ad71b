//! [`OpenAiWriter`]: the [`Writer`] that asks an OpenAI-compatible server for the note.
//!
//! What one request asks for is [`LlmOptions`]: the writer's defaults (from `[llm]`) with the tenant's
//! overrides (model, temperature, max tokens, prompt override, redaction) applied by
//! [`LlmOptions::for_tenant`] on every [`Writer::write`].

use std::time::Duration;

use async_trait::async_trait;
use enhancer_shared::config::LlmConfig;
use enhancer_shared::domain::Ticket;
use enhancer_shared::error::Retryable;
use enhancer_shared::tenant::TenantSettings;

use super::client::{ClientSettings, LlmClient};
use super::error::LlmError;
use super::output::tidy;
use super::prompt::{self, PROMPT_VERSION};
use super::redact::Redactions;
use super::wire::ChatRequest;
use crate::context::TicketContext;
use crate::stages::StageError;
use crate::writer::{Enhancement, Writer, empty, writer_error};

/// Connecting is quick or not at all; the rest of `llm.timeout_secs` is for the model to answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// What one request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmOptions {
    pub model: String,
    pub temperature: f32,
    pub max_tokens: u32,
    /// Replaces the built-in instructions ([`prompt::INSTRUCTIONS`]); the data framing stays.
    pub instructions: Option<String>,
    /// Replace e-mail addresses and phone numbers before the text leaves; restored in the note.
    pub redact_pii: bool,
}

impl LlmOptions {
    /// The global configuration: no prompt override, no redaction (both are tenant settings).
    pub fn from_config(config: &LlmConfig) -> Result<Self, LlmError> {
        let model = config.model.clone().filter(|m| !m.trim().is_empty());
        Ok(Self {
            model: model.ok_or_else(|| LlmError::InvalidRequest("llm.model is not set".into()))?,
            temperature: config.temperature,
            max_tokens: config.max_tokens,
            instructions: None,
            redact_pii: false,
        })
    }

    /// These options with a tenant's overrides applied.
    pub fn for_tenant(&self, settings: &TenantSettings) -> Self {
        Self {
            model: settings.llm.model.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| self.model.clone()),
            temperature: settings.llm.temperature.unwrap_or(self.temperature),
            max_tokens: settings.llm.max_tokens.unwrap_or(self.max_tokens),
            instructions: settings.prompt_override.clone().or_else(|| self.instructions.clone()),
            redact_pii: settings.redact_pii || self.redact_pii,
        }
    }
}

#[derive(Debug, Clone)]
pub struct OpenAiWriter {
    client: LlmClient,
    defaults: LlmOptions,
}

impl OpenAiWriter {
    pub fn new(client: &ClientSettings, defaults: LlmOptions) -> Result<Self, LlmError> {
        Ok(Self { client: LlmClient::new(client)?, defaults })
    }

    /// From `[llm]`: base URL, key, model, temperature, max tokens, timeout.
    pub fn from_config(config: &LlmConfig) -> Result<Self, LlmError> {
        let base_url =
            config.base_url.clone().ok_or_else(|| LlmError::InvalidRequest("llm.base_url is not set".into()))?;
        let timeout = Duration::from_secs(config.timeout_secs);
        let client = ClientSettings {
            base_url,
            api_key: config.api_key.clone(),
            connect_timeout: CONNECT_TIMEOUT.min(timeout),
            timeout,
            allow_private_base_url: config.allow_private_base_url,
        };
        Self::new(&client, LlmOptions::from_config(config)?)
    }

    /// Writes the note with the given options: one request, no retries (the queue owns them).
    async fn write_with(
        &self,
        ticket: &Ticket,
        context: &TicketContext,
        options: &LlmOptions,
    ) -> Result<Enhancement, StageError> {
        let mut messages = prompt::messages(ticket, context, options.instructions.as_deref());
        let mut redactions = Redactions::default();
        if options.redact_pii {
            for message in messages.iter_mut().filter(|m| m.role == "user") {
                message.content = redactions.redact_more(&message.content);
            }
        }
        let request = ChatRequest {
            model: options.model.clone(),
            messages,
            temperature: options.temperature,
            max_tokens: options.max_tokens,
            stream: false,
        };
        let response = self.client.complete(&request).await.map_err(|err| fail(&err))?;
        let Some(text) = response.text() else {
            let reason = response.finish_reason().unwrap_or("none");
            return Err(fail(&LlmError::BadResponse(format!("the answer has no text (finish_reason {reason:?})"))));
        };
        if response.finish_reason() == Some("length") {
            tracing::warn!(max_tokens = options.max_tokens, "the LLM answer was cut off at max_tokens");
        }
        let markdown = empty::fill(&redactions.restore(&tidy(text)), context);
        let model = response.model.clone().filter(|m| !m.trim().is_empty()).unwrap_or_else(|| options.model.clone());
        let usage = response.usage.unwrap_or_default();
        tracing::debug!(
            %model,
            prompt_version = PROMPT_VERSION,
            prompt_tokens = usage.prompt_tokens,
            completion_tokens = usage.completion_tokens,
            redacted = redactions.len(),
            "LLM note written"
        );
        Ok(Enhancement {
            markdown,
            model,
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
        })
    }
}

fn fail(err: &LlmError) -> StageError {
    writer_error(err.disposition(), err.to_string())
}

#[async_trait]
impl Writer for OpenAiWriter {
    async fn write(
        &self,
        ticket: &Ticket,
        context: &TicketContext,
        settings: &TenantSettings,
    ) -> Result<Enhancement, StageError> {
        self.write_with(ticket, context, &self.defaults.for_tenant(settings)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_overrides_apply_over_the_global_options() {
        let config = LlmConfig { model: Some("gpt-4o-mini".into()), ..LlmConfig::default() };
        let global = LlmOptions::from_config(&config).expect("model set");
        assert_eq!(global.temperature, 0.3);
        assert!(!global.redact_pii);
        let mut settings = TenantSettings::default();
        assert_eq!(global.for_tenant(&settings), global);
        settings.llm.model = Some("llama3.1".into());
        settings.llm.temperature = Some(0.0);
        settings.prompt_override = Some("Be brief.".into());
        settings.redact_pii = true;
        let tenant = global.for_tenant(&settings);
        assert_eq!(tenant.model, "llama3.1");
        assert_eq!(tenant.temperature, 0.0);
        assert_eq!(tenant.max_tokens, global.max_tokens);
        assert_eq!(tenant.instructions.as_deref(), Some("Be brief."));
        assert!(tenant.redact_pii);
    }

    #[test]
    fn a_missing_model_or_base_url_is_refused() {
        let config = LlmConfig { base_url: Some("http://127.0.0.1:1/v1".into()), ..LlmConfig::default() };
        assert!(OpenAiWriter::from_config(&config).is_err());
        let config = LlmConfig { model: Some("m".into()), ..LlmConfig::default() };
        assert!(OpenAiWriter::from_config(&config).is_err());
    }
}
