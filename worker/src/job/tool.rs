//! The tenant's ticketing tool for one job: its plugin and the API handle built from the tenant's record and
//! credentials. The only place the job looks a plugin up or builds a [`ToolApi`].

use enhancer_plugins::{TicketingTool, ToolApi};
use enhancer_shared::error::Disposition;
use secrecy::ExposeSecret as _;

use super::context::WorkerContext;
use super::tenant::WorkerTenant;
use crate::stages::{Stage, StageError};

/// What the gather, update and index steps call the tool through.
pub(super) struct Tool<'a> {
    pub plugin: &'a dyn TicketingTool,
    pub api: ToolApi<'a>,
}

impl<'a> Tool<'a> {
    /// A tool without a registered plugin cannot be served by any attempt: permanent.
    pub(super) fn of(ctx: &'a WorkerContext, tenant: &'a WorkerTenant) -> Result<Self, StageError> {
        let record = &tenant.record;
        let plugin = ctx.plugins.get(record.tool).ok_or_else(|| {
            StageError::new(
                Stage::Tenant,
                Disposition::Permanent,
                format!("no plugin is registered for {}", record.tool),
            )
        })?;
        let credentials = tenant.secrets.credentials.expose_secret().into();
        let api = ToolApi::new(&ctx.http, record.base_url.clone(), credentials, &record.settings);
        Ok(Self { plugin, api })
    }
}
