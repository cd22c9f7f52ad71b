//! [`Plugins`]: the registry of built-in tools, built once at start-up and passed in application state.
//! Adding a tool is one line in [`Plugins::default`]; nothing else in the workspace lists tools.

use std::fmt;

use enhancer_shared::domain::ToolKind;

use crate::tool::TicketingTool;
use crate::{generic, jira, servicedesk_plus};

/// Every registered tool, looked up by [`ToolKind`]. No global singleton: build it, then share it.
pub struct Plugins {
    tools: Vec<Box<dyn TicketingTool>>,
}

impl Default for Plugins {
    /// Every built-in tool.
    fn default() -> Self {
        let mut plugins = Self::empty();
        plugins.register(Box::new(servicedesk_plus::ServiceDeskPlus));
        plugins.register(Box::new(jira::Jira));
        plugins.register(Box::new(generic::Generic));
        plugins
    }
}

impl Plugins {
    /// A registry with no tools (tests that register a fake).
    pub fn empty() -> Self {
        Self { tools: Vec::new() }
    }

    /// Adds a tool, replacing any tool registered earlier for the same kind.
    pub fn register(&mut self, tool: Box<dyn TicketingTool>) {
        self.tools.retain(|known| known.kind() != tool.kind());
        self.tools.push(tool);
    }

    /// The tool for `kind`; `None` when it is not (yet) implemented.
    pub fn get(&self, kind: ToolKind) -> Option<&dyn TicketingTool> {
        self.tools.iter().find(|tool| tool.kind() == kind).map(AsRef::as_ref)
    }

    /// The kinds that have a tool, in registration order.
    pub fn kinds(&self) -> impl Iterator<Item = ToolKind> + '_ {
        self.tools.iter().map(|tool| tool.kind())
    }
}

impl fmt::Debug for Plugins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.kinds()).finish()
    }
}
