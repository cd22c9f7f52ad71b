//! Synthesize: the tenant's writer turns the ticket and its context into Markdown, and the tokens it used
//! are counted per tenant and model.

use enhancer_shared::domain::TenantId;
use enhancer_shared::tenant::TenantSettings;

use super::StageError;
use super::gather::Gathered;
use crate::metrics::Metrics;
use crate::writer::{Enhancement, Writer};

pub async fn synthesize(
    writer: &dyn Writer,
    gathered: &Gathered,
    settings: &TenantSettings,
    tenant: &TenantId,
    metrics: &Metrics,
) -> Result<Enhancement, StageError> {
    let enhancement = writer.write(&gathered.ticket, &gathered.context, settings).await?;
    for (kind, tokens) in [("prompt", enhancement.prompt_tokens), ("completion", enhancement.completion_tokens)] {
        if let Some(tokens) = tokens {
            metrics
                .llm_tokens
                .with_label_values(&[tenant.as_str(), &enhancement.model, kind])
                .inc_by(u64::from(tokens));
        }
    }
    Ok(enhancement)
}
