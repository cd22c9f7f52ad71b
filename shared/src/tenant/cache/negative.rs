//! "No such tenant" answers, remembered briefly and in bounded number. Unknown ids cost nothing to send (no
//! secret is needed), so this map must not grow with them: entries expire after a short TTL and, beyond the
//! bound, the oldest go first. All entries share one TTL, so insertion order is expiry order and one queue
//! serves both evictions.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::domain::TenantId;

#[derive(Debug)]
pub(super) struct NegativeCache {
    ttl: Duration,
    max_entries: usize,
    /// id -> when it was found missing.
    entries: HashMap<TenantId, Instant>,
    /// Insertions, oldest first; an element whose instant no longer matches `entries` is stale.
    order: VecDeque<(TenantId, Instant)>,
}

impl NegativeCache {
    pub(super) fn new(ttl: Duration, max_entries: usize) -> Self {
        Self { ttl, max_entries, entries: HashMap::new(), order: VecDeque::new() }
    }

    /// Whether `id` was found missing less than the TTL ago.
    pub(super) fn contains(&self, id: &TenantId, now: Instant) -> bool {
        self.entries.get(id).is_some_and(|at| now.saturating_duration_since(*at) < self.ttl)
    }

    pub(super) fn insert(&mut self, id: TenantId, now: Instant) {
        if self.max_entries == 0 || self.ttl.is_zero() {
            return;
        }
        self.entries.insert(id.clone(), now);
        self.order.push_back((id, now));
        // The queue bounds the map too: every map entry has its element in the queue.
        while let Some((oldest, at)) = self.order.front() {
            let expired = now.saturating_duration_since(*at) >= self.ttl;
            if !expired && self.order.len() <= self.max_entries {
                break;
            }
            if self.entries.get(oldest) == Some(at) {
                self.entries.remove(oldest);
            }
            self.order.pop_front();
        }
    }

    pub(super) fn remove(&mut self, id: &str) {
        self.entries.retain(|key, _| key.as_str() != id);
    }

    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: usize) -> TenantId {
        TenantId::parse(format!("ghost{n}")).expect("id")
    }

    #[test]
    fn entries_are_bounded_and_the_oldest_go_first() {
        let mut cache = NegativeCache::new(Duration::from_secs(60), 100);
        let now = Instant::now();
        for n in 0..10_000 {
            cache.insert(id(n), now);
        }
        assert_eq!(cache.len(), 100);
        assert!(cache.order.len() <= 100);
        assert!(!cache.contains(&id(0), now), "the oldest was evicted");
        assert!(cache.contains(&id(9_999), now));
    }

    #[test]
    fn entries_expire_after_the_ttl_and_are_dropped() {
        let mut cache = NegativeCache::new(Duration::from_secs(10), 100);
        let start = Instant::now();
        cache.insert(id(1), start);
        assert!(cache.contains(&id(1), start + Duration::from_secs(9)));
        assert!(!cache.contains(&id(1), start + Duration::from_secs(10)));
        // The next insertion sweeps what expired.
        cache.insert(id(2), start + Duration::from_secs(11));
        assert_eq!(cache.len(), 1);
        cache.remove("ghost2");
        assert!(!cache.contains(&id(2), start + Duration::from_secs(11)));
    }
}
