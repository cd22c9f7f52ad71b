//! Loop prevention: the note we post fires an "updated"/"commented" webhook of its own. `extract` marks such
//! events `self_authored` when the integration account caused them or when the payload carries our marker.

use enhancer_shared::tenant::TenantSettings;

/// Every note marker starts with this (`Note::marker_for` writes `ticket-enhancer:<uuid>`).
pub const MARKER_PREFIX: &str = "ticket-enhancer:";

/// Whether the event was caused by our own integration: the actor is the tenant's integration account
/// (compared case-insensitively: e-mail addresses and logins differ in case between tools), or the raw
/// payload contains the marker prefix anywhere (a comment body, a changelog entry, a description).
pub fn is_self_authored(actor: Option<&str>, raw_payload: &[u8], settings: &TenantSettings) -> bool {
    let by_account = match (actor.map(str::trim), settings.integration_account_id.as_deref().map(str::trim)) {
        (Some(actor), Some(account)) => !account.is_empty() && actor.eq_ignore_ascii_case(account),
        _ => false,
    };
    by_account || contains(raw_payload, MARKER_PREFIX.as_bytes())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_or_marker() {
        let settings =
            TenantSettings { integration_account_id: Some("Bot@Acme.com".into()), ..TenantSettings::default() };
        assert!(is_self_authored(Some("bot@acme.com"), b"{}", &settings));
        assert!(!is_self_authored(Some("alice@acme.com"), b"{}", &settings));
        assert!(is_self_authored(Some("alice"), br#"{"body":"x ticket-enhancer:0190"}"#, &settings));
        assert!(!is_self_authored(None, b"{}", &TenantSettings::default()));
    }

    #[test]
    fn marker_prefix_matches_the_shared_marker() {
        let marker = enhancer_shared::domain::Note::marker_for(uuid::Uuid::nil());
        assert!(marker.starts_with(MARKER_PREFIX), "{marker}");
    }
}
