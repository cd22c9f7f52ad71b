//! The embeddings of past tickets and articles, kept in the worker's memory by (tenant, document,
//! version): a document is embedded once per version, however many notes rank it (in a mass incident the
//! same few hundred tickets are every note's candidates). Bounded by the floats it holds; the oldest
//! entries leave first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

/// At most this many floats (64 MiB): 43,000 embeddings of 384 dimensions, 10,000 of 1,536.
const MAX_FLOATS: usize = 16 << 20;

/// Which index a document is from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Ticket = 0,
    Article = 1,
}

type Key = (Arc<str>, Source, Box<str>);

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<Key, (i64, Arc<[f32]>)>,
    /// Keys in the order they were first stored, for the eviction.
    order: VecDeque<Key>,
    floats: usize,
}

#[derive(Debug, Default)]
pub struct EmbeddingCache {
    entries: Mutex<Entries>,
}

impl EmbeddingCache {
    /// The embedding of version `stamp` of the document, if stored.
    pub fn get(&self, tenant: &str, source: Source, id: &str, stamp: i64) -> Option<Arc<[f32]>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let key: Key = (tenant.into(), source, id.into());
        entries.map.get(&key).filter(|(version, _)| *version == stamp).map(|(_, e)| Arc::clone(e))
    }

    /// Stores the embedding of version `stamp` of the document, replacing an older version's.
    pub fn put(&self, tenant: &str, source: Source, id: &str, stamp: i64, embedding: Arc<[f32]>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let key: Key = (tenant.into(), source, id.into());
        let size = embedding.len();
        match entries.map.insert(key.clone(), (stamp, embedding)) {
            Some((_, old)) => entries.floats = entries.floats - old.len() + size,
            None => {
                entries.order.push_back(key);
                entries.floats += size;
            }
        }
        while entries.floats > MAX_FLOATS {
            let Some(oldest) = entries.order.pop_front() else { break };
            if let Some((_, gone)) = entries.map.remove(&oldest) {
                entries.floats -= gone.len();
            }
        }
    }

    /// Forgets every embedding: they are another model's (its dimension changed behind the same name).
    pub fn clear(&self) {
        *self.entries.lock().unwrap_or_else(PoisonError::into_inner) = Entries::default();
    }

    /// Embeddings stored (tests, metrics).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(n: usize) -> Arc<[f32]> {
        vec![1.0; n].into()
    }

    #[test]
    fn a_new_version_replaces_the_old_one() {
        let cache = EmbeddingCache::default();
        cache.put("acme", Source::Ticket, "T-1", 1, vector(3));
        assert!(cache.get("acme", Source::Ticket, "T-1", 1).is_some());
        assert!(cache.get("acme", Source::Ticket, "T-1", 2).is_none(), "another version");
        assert!(cache.get("acme", Source::Article, "T-1", 1).is_none(), "another source");
        assert!(cache.get("other", Source::Ticket, "T-1", 1).is_none(), "another tenant");
        cache.put("acme", Source::Ticket, "T-1", 2, vector(3));
        assert!(cache.get("acme", Source::Ticket, "T-1", 2).is_some());
        assert_eq!(cache.len(), 1);
        cache.clear();
        assert!(cache.is_empty() && cache.get("acme", Source::Ticket, "T-1", 2).is_none());
    }

    #[test]
    fn the_oldest_leave_first_when_full() {
        let cache = EmbeddingCache::default();
        let size = MAX_FLOATS / 4;
        for id in 0..5 {
            cache.put("acme", Source::Ticket, &id.to_string(), 1, vector(size));
        }
        assert_eq!(cache.len(), 4);
        assert!(cache.get("acme", Source::Ticket, "0", 1).is_none());
        assert!(cache.get("acme", Source::Ticket, "4", 1).is_some());
    }
}
