//! The cache's bounds, with a loader that counts (and can hold) its loads instead of a database.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Notify;

use super::*;
use crate::crypto::CryptoError;

/// A loader that knows `acme` only, counts its calls, and waits for `release` when `hold` is set.
struct Probe {
    calls: AtomicUsize,
    hold: std::sync::atomic::AtomicBool,
    release: Notify,
}

fn probe() -> Arc<Probe> {
    Arc::new(Probe { calls: AtomicUsize::new(0), hold: false.into(), release: Notify::new() })
}

fn cache(probe: &Arc<Probe>, limits: CacheLimits) -> TenantCache<String> {
    let probe = Arc::clone(probe);
    let load: Loader<String> = Arc::new(move |id: TenantId| {
        let probe = Arc::clone(&probe);
        Box::pin(async move {
            probe.calls.fetch_add(1, Ordering::SeqCst);
            if probe.hold.load(Ordering::SeqCst) {
                probe.release.notified().await;
            }
            match id.as_str() {
                "acme" => Ok(Some("acme".to_owned())),
                "sealed" => Err(TenantStoreError::Crypto { tenant: "sealed".into(), source: CryptoError::Tampered }),
                _ => Ok(None),
            }
        })
    });
    let pool = PgPool::connect_lazy("postgres://127.0.0.1:1/none").expect("lazy pool");
    TenantCache::with_loader(pool, Duration::from_secs(60), load, limits)
}

fn id(raw: &str) -> TenantId {
    TenantId::parse(raw).expect("id")
}

#[tokio::test]
async fn concurrent_misses_for_one_id_make_one_load() {
    let probe = probe();
    let cache = cache(&probe, CacheLimits::default());
    probe.hold.store(true, Ordering::SeqCst);
    let ghost = id("ghost");
    let lookups: Vec<_> = (0..50).map(|_| cache.get(&ghost)).collect();
    let all = futures_util::future::join_all(lookups);
    let release = async {
        while probe.calls.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // Every other lookup is queued on the turn by now; give them a moment to pile up, then let it finish.
        tokio::time::sleep(Duration::from_millis(50)).await;
        probe.release.notify_one();
    };
    let (answers, ()) = tokio::join!(all, release);
    assert!(answers.iter().all(|a| matches!(a, Ok(None))));
    assert_eq!(probe.calls.load(Ordering::SeqCst), 1, "one load for fifty concurrent misses");
    assert!(guard(&cache.maps.turns).is_empty(), "no turn is left behind");
}

#[tokio::test]
async fn unknown_ids_are_remembered_briefly_and_in_bounded_number() {
    let probe = probe();
    let limits = CacheLimits { negative_max_entries: 100, ..CacheLimits::default() };
    let cache = cache(&probe, limits);
    for n in 0..1_000 {
        assert!(cache.get(&id(&format!("ghost{n}"))).await.expect("lookup").is_none());
    }
    assert_eq!(guard(&cache.maps.missing).len(), 100, "bounded");
    assert_eq!(probe.calls.load(Ordering::SeqCst), 1_000);
    // The latest are answered without a load; a tenant's change drops its entry.
    assert!(cache.get(&id("ghost999")).await.expect("lookup").is_none());
    assert_eq!(probe.calls.load(Ordering::SeqCst), 1_000);
    cache.invalidate("ghost999");
    assert!(cache.get(&id("ghost999")).await.expect("lookup").is_none());
    assert_eq!(probe.calls.load(Ordering::SeqCst), 1_001);
}

#[tokio::test]
async fn loads_beyond_the_cap_fail_at_once_and_cached_tenants_still_answer() {
    let probe = probe();
    let limits = CacheLimits { max_concurrent_loads: Some(2), ..CacheLimits::default() };
    let cache = cache(&probe, limits);
    assert!(cache.get(&id("acme")).await.expect("acme").is_some());
    probe.hold.store(true, Ordering::SeqCst);
    let (a, b) = (id("ghost1"), id("ghost2"));
    let held = futures_util::future::join(cache.get(&a), cache.get(&b));
    let check = async {
        while probe.calls.load(Ordering::SeqCst) < 3 {
            tokio::task::yield_now().await;
        }
        let third = cache.get(&id("ghost3")).await;
        assert!(matches!(third, Err(TenantStoreError::Busy)), "{third:?}");
        assert!(third.expect_err("busy").disposition().is_transient());
        assert!(cache.get(&id("acme")).await.expect("cached acme").is_some(), "a cached tenant needs no load");
        probe.release.notify_waiters();
    };
    let ((first, second), ()) = tokio::join!(held, check);
    assert!(first.expect("ghost1").is_none() && second.expect("ghost2").is_none());
}

#[tokio::test]
async fn a_permanent_error_is_remembered_until_the_tenant_changes() {
    let probe = probe();
    let cache = cache(&probe, CacheLimits::default());
    for _ in 0..5 {
        let err = cache.get(&id("sealed")).await.expect_err("unusable");
        assert!(matches!(err, TenantStoreError::Unusable { .. }), "{err:?}");
        assert!(!err.disposition().is_transient());
    }
    assert_eq!(probe.calls.load(Ordering::SeqCst), 1, "loaded (and logged) once");
    cache.invalidate("sealed");
    assert!(cache.get(&id("sealed")).await.is_err());
    assert_eq!(probe.calls.load(Ordering::SeqCst), 2);
}
