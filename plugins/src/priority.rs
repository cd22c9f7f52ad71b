//! Priority normalisation (reference section 6): the tenant's `priority_map` first, then the tool's built-in
//! table, and anything unknown is [`Priority::Medium`]. Each tool module owns its table.

use enhancer_shared::domain::Priority;
use enhancer_shared::tenant::TenantSettings;

/// A tool's built-in vocabulary: lower-case names (or raw numeric values as text) and what they mean.
pub type PriorityTable = &'static [(&'static str, Priority)];

/// Maps the tool's priority value onto ours. Matching is case-insensitive and ignores surrounding space.
pub fn normalize(raw: Option<&str>, settings: &TenantSettings, table: PriorityTable) -> Priority {
    let Some(raw) = raw.map(str::trim).filter(|raw| !raw.is_empty()) else {
        return Priority::Medium;
    };
    settings
        .mapped_priority(raw)
        .or_else(|| table.iter().find(|(name, _)| name.eq_ignore_ascii_case(raw)).map(|(_, priority)| *priority))
        .unwrap_or(Priority::Medium)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const TABLE: PriorityTable = &[("urgent", Priority::Critical), ("low", Priority::Low)];

    #[test]
    fn tenant_map_wins_then_table_then_medium() {
        let settings = TenantSettings {
            priority_map: BTreeMap::from([("Low".to_owned(), Priority::High)]),
            ..TenantSettings::default()
        };
        assert_eq!(normalize(Some(" LOW "), &settings, TABLE), Priority::High);
        assert_eq!(normalize(Some("Urgent"), &settings, TABLE), Priority::Critical);
        assert_eq!(normalize(Some("whatever"), &settings, TABLE), Priority::Medium);
        assert_eq!(normalize(None, &settings, TABLE), Priority::Medium);
        assert_eq!(normalize(Some(""), &settings, TABLE), Priority::Medium);
    }
}
