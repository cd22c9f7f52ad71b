//! The tenant's ticketing tool for one job: its plugin and the API handle built from the tenant's record and
//! secrets, borrowed from the tenant cache (no credential is copied per job). The only place the job looks
//! a plugin up or builds a [`ToolApi`].

use enhancer_plugins::{TicketingTool, ToolApi};

use super::context::WorkerContext;
use super::tenant::WorkerTenant;

/// What the gather, update and index steps call the tool through.
pub(super) struct Tool<'a> {
    pub plugin: &'a dyn TicketingTool,
    pub api: ToolApi<'a>,
}

impl<'a> Tool<'a> {
    pub(super) fn of(ctx: &'a WorkerContext, tenant: &'a WorkerTenant) -> Self {
        let record = &tenant.record;
        let api = ToolApi::new(&ctx.http, &record.base_url, &tenant.secrets, &record.settings);
        Self { plugin: ctx.plugins.get(record.tool), api }
    }
}
