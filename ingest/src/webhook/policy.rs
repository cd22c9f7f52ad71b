//! Which verified events become jobs. Our own notes fire "updated"/"commented" webhooks back at us, so
//! self-authored events are never enhanced, and by default only "created" events are.
//!
//! An "updated" event that is not enhanced still becomes an *index-only* job: the ticket may have been
//! resolved, and its resolution belongs in the similar-ticket corpus. Self-authored events stay ignored
//! (loop prevention), as do comment events, which carry nothing for the corpus.

use enhancer_shared::domain::{EventKind, TicketEvent};
use enhancer_shared::tenant::TenantSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Enhance,
    /// Refresh the ticket's corpus row only (no note).
    Index,
    Ignore(&'static str),
}

pub fn decide(event: &TicketEvent, settings: &TenantSettings) -> Policy {
    if event.self_authored {
        return Policy::Ignore("event authored by the integration or carrying its note marker");
    }
    if !settings.enhance_events.contains(&event.kind) {
        return match event.kind {
            EventKind::Created => Policy::Ignore("created events are not enhanced for this tenant"),
            EventKind::Updated => Policy::Index,
            EventKind::Commented => Policy::Ignore("comment events are not enhanced for this tenant"),
        };
    }
    Policy::Enhance
}

#[cfg(test)]
mod tests {
    use enhancer_shared::domain::{Priority, TicketId};

    use super::*;

    fn event(kind: EventKind, self_authored: bool) -> TicketEvent {
        TicketEvent {
            ticket_id: TicketId::parse("1").expect("id"),
            kind,
            actor: None,
            subject: None,
            priority: Priority::Medium,
            occurred_at: None,
            idempotency_key: None,
            self_authored,
        }
    }

    #[test]
    fn only_created_events_by_others_are_enhanced_by_default() {
        let settings = TenantSettings::default();
        assert_eq!(decide(&event(EventKind::Created, false), &settings), Policy::Enhance);
        assert!(matches!(decide(&event(EventKind::Created, true), &settings), Policy::Ignore(_)));
        assert!(matches!(decide(&event(EventKind::Commented, false), &settings), Policy::Ignore(_)));
        let all = TenantSettings {
            enhance_events: vec![EventKind::Created, EventKind::Updated, EventKind::Commented],
            ..TenantSettings::default()
        };
        assert_eq!(decide(&event(EventKind::Commented, false), &all), Policy::Enhance);
        assert!(matches!(decide(&event(EventKind::Commented, true), &all), Policy::Ignore(_)));
    }

    #[test]
    fn updated_events_not_enhanced_are_indexed_unless_self_authored() {
        let settings = TenantSettings::default();
        assert_eq!(decide(&event(EventKind::Updated, false), &settings), Policy::Index);
        assert!(matches!(decide(&event(EventKind::Updated, true), &settings), Policy::Ignore(_)));
        let all = TenantSettings { enhance_events: vec![EventKind::Updated], ..TenantSettings::default() };
        assert_eq!(decide(&event(EventKind::Updated, false), &all), Policy::Enhance);
    }
}
