//! [`Plugins`]: the registry of built-in tools. It holds the workspace's only `match` over [`ToolKind`]
//! that picks a plugin, written without a wildcard: a tool kind without a plugin does not compile.

use enhancer_shared::domain::ToolKind;

use crate::tool::TicketingTool;
use crate::{freshservice, generic, jira, servicedesk_plus, servicenow, zendesk};

/// Every built-in tool, looked up by [`ToolKind`]. The plugins are stateless, so the registry is a
/// zero-sized value that any process can build and share.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plugins;

impl Plugins {
    /// The plugin of `kind`.
    pub fn get(&self, kind: ToolKind) -> &'static dyn TicketingTool {
        match kind {
            ToolKind::ServicedeskPlus => &servicedesk_plus::ServiceDeskPlus,
            ToolKind::Jira => &jira::Jira,
            ToolKind::Zendesk => &zendesk::Zendesk,
            ToolKind::ServiceNow => &servicenow::ServiceNow,
            ToolKind::Generic => &generic::Generic,
            ToolKind::Freshservice => &freshservice::Freshservice,
        }
    }

    /// Every plugin, in [`ToolKind::ALL`] order.
    pub fn all(&self) -> impl Iterator<Item = &'static dyn TicketingTool> + '_ {
        ToolKind::ALL.into_iter().map(|kind| self.get(kind))
    }
}
