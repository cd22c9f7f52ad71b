//! In-memory stand-ins for the broker, admission and the tenants' store, so the router runs in a unit test
//! with no RabbitMQ, Redis or PostgreSQL. Each records what the handler asked of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use enhancer_shared::domain::{EnhancementJob, TenantId, ToolKind};
use enhancer_shared::queue::{JobHeaders, PublishError};
use enhancer_shared::tenant::{RateLimit, TenantRecord, TenantSecrets, TenantSettings, TenantStoreError};
use futures_util::future::BoxFuture;
use uuid::Uuid;

use crate::admission::{Admission, Claim, Verdict};
use crate::publisher::JobPublisher;
use crate::tenant_cache::{CachedTenant, Tenants};

/// A broker that confirms every job (and keeps it), or, while `down`, confirms none.
#[derive(Debug, Default)]
pub struct FakePublisher {
    confirmed: Mutex<Vec<EnhancementJob>>,
    down: AtomicBool,
}

impl FakePublisher {
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// The jobs the broker confirmed, in order.
    pub fn jobs(&self) -> Vec<EnhancementJob> {
        self.confirmed.lock().expect("fake publisher lock").clone()
    }
}

impl JobPublisher for FakePublisher {
    fn publish_job<'a>(
        &'a self,
        job: &'a EnhancementJob,
        _headers: &'a JobHeaders,
    ) -> BoxFuture<'a, Result<(), PublishError>> {
        Box::pin(async move {
            if self.down.load(Ordering::SeqCst) {
                return Err(PublishError::Timeout(Duration::from_secs(5)));
            }
            self.confirmed.lock().expect("fake publisher lock").push(job.clone());
            Ok(())
        })
    }

    fn ensure_connected(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { !self.down.load(Ordering::SeqCst) })
    }
}

/// What a key holds in the fake's dedup store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Pending(Uuid),
    Done(Uuid),
}

#[derive(Debug, Default)]
struct AdmissionState {
    keys: HashMap<String, Marker>,
    /// When set, every request is over the limit for this long.
    rate_limited: Option<Duration>,
    admits: usize,
    confirmed: Vec<Uuid>,
    released: Vec<Uuid>,
}

/// Admission with the real one's dedup protocol (pending, then done or released) in a map, and a rate limit
/// switched on by the test.
#[derive(Debug, Default)]
pub struct FakeAdmission {
    state: Mutex<AdmissionState>,
}

impl FakeAdmission {
    fn state(&self) -> std::sync::MutexGuard<'_, AdmissionState> {
        self.state.lock().expect("fake admission lock")
    }

    pub fn set_rate_limited(&self, retry_after: Option<Duration>) {
        self.state().rate_limited = retry_after;
    }

    /// How often `admit` was called.
    pub fn admits(&self) -> usize {
        self.state().admits
    }

    pub fn confirmed(&self) -> Vec<Uuid> {
        self.state().confirmed.clone()
    }

    pub fn released(&self) -> Vec<Uuid> {
        self.state().released.clone()
    }
}

impl Admission for FakeAdmission {
    fn admit<'a>(
        &'a self,
        tenant: &'a str,
        _limit: RateLimit,
        idempotency_key: &'a str,
        job_id: Uuid,
    ) -> BoxFuture<'a, Verdict> {
        Box::pin(async move {
            let mut state = self.state();
            state.admits += 1;
            let key = format!("{tenant}:{idempotency_key}");
            // Like the real script: a duplicate is answered before the rate limit is consulted.
            match state.keys.get(&key) {
                Some(Marker::Done(first)) => Verdict::Duplicate(*first),
                Some(Marker::Pending(_)) => Verdict::InFlight,
                None if state.rate_limited.is_some() => {
                    Verdict::RateLimited { retry_after: state.rate_limited.unwrap_or_default() }
                }
                None => {
                    state.keys.insert(key.clone(), Marker::Pending(job_id));
                    Verdict::Admitted(Claim::new(key, job_id))
                }
            }
        })
    }

    fn confirmed(&self, claim: Claim) {
        let mut state = self.state();
        state.keys.insert(claim.key().to_owned(), Marker::Done(claim.job_id()));
        state.confirmed.push(claim.job_id());
    }

    fn failed(&self, claim: Claim) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let mut state = self.state();
            if state.keys.get(claim.key()) == Some(&Marker::Pending(claim.job_id())) {
                state.keys.remove(claim.key());
            }
            state.released.push(claim.job_id());
        })
    }

    fn store_connected(&self) -> bool {
        true
    }
}

/// Tenants seeded in memory; while `down`, every lookup fails as a database outage would; while `busy`, as
/// the cache's cap on concurrent loads would; an `unusable` tenant fails as a corrupt row would.
#[derive(Debug, Default)]
pub struct SeededTenants {
    tenants: Mutex<HashMap<TenantId, Arc<CachedTenant>>>,
    down: AtomicBool,
    busy: AtomicBool,
    unusable: Mutex<Vec<String>>,
}

impl SeededTenants {
    /// Adds a generic-tool tenant verifying with the Standard Webhooks `secret`.
    pub fn add_generic(&self, id: &str, secret: &str, enabled: bool) {
        let raw = format!(r#"{{"webhook_secret": "{secret}", "credentials": {{}}}}"#);
        let secrets = TenantSecrets::parse(raw.as_bytes()).expect("generic secrets");
        let record = TenantRecord {
            id: TenantId::parse(id).expect("tenant id"),
            name: id.to_owned(),
            tool: ToolKind::Generic,
            base_url: "https://tool.example".parse().expect("url"),
            allow_insecure_url: false,
            settings: TenantSettings::default(),
            enabled,
            key_id: "test".into(),
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        let tenant = CachedTenant::build(record, secrets);
        self.tenants.lock().expect("fake tenants lock").insert(tenant.record.id.clone(), Arc::new(tenant));
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    pub fn set_busy(&self, busy: bool) {
        self.busy.store(busy, Ordering::SeqCst);
    }

    pub fn set_unusable(&self, id: &str) {
        self.unusable.lock().expect("fake tenants lock").push(id.to_owned());
    }
}

impl Tenants for SeededTenants {
    fn get<'a>(&'a self, id: &'a TenantId) -> BoxFuture<'a, Result<Option<Arc<CachedTenant>>, TenantStoreError>> {
        Box::pin(async move {
            if self.down.load(Ordering::SeqCst) {
                return Err(TenantStoreError::Database(sqlx::Error::PoolTimedOut));
            }
            if self.busy.load(Ordering::SeqCst) {
                return Err(TenantStoreError::Busy);
            }
            if self.unusable.lock().expect("fake tenants lock").iter().any(|u| u == id.as_str()) {
                return Err(TenantStoreError::Unusable { tenant: id.to_string(), reason: "sealed with key k0".into() });
            }
            Ok(self.tenants.lock().expect("fake tenants lock").get(id).cloned())
        })
    }

    fn reachable(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { !self.down.load(Ordering::SeqCst) })
    }
}
