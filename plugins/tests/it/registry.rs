//! The registry: every built-in tool is registered under its own kind, and nothing else is.

use enhancer_plugins::Plugins;
use enhancer_shared::domain::ToolKind;

#[test]
fn default_registers_the_built_in_tools() {
    let plugins = Plugins::default();
    for kind in [ToolKind::ServicedeskPlus, ToolKind::Jira, ToolKind::Generic] {
        assert_eq!(plugins.get(kind).map(|tool| tool.kind()), Some(kind), "{kind}");
    }
    // Not implemented yet: the registry says so instead of pretending.
    for kind in [ToolKind::Zendesk, ToolKind::Servicenow, ToolKind::Freshservice] {
        assert!(plugins.get(kind).is_none(), "{kind}");
    }
    assert_eq!(plugins.kinds().count(), 3);
}

#[test]
fn registering_a_kind_again_replaces_it() {
    let mut plugins = Plugins::empty();
    plugins.register(Box::new(enhancer_plugins::generic::Generic));
    plugins.register(Box::new(enhancer_plugins::generic::Generic));
    assert_eq!(plugins.kinds().collect::<Vec<_>>(), vec![ToolKind::Generic]);
}
