//! What ingest keeps of a tenant between webhooks: the record and the verification keys its plugin takes,
//! in the shared per-process [`enhancer_shared::tenant::TenantCache`].

use enhancer_plugins::VerifyKeys;
use enhancer_shared::tenant::{TenantRecord, TenantSecrets};

/// What ingest needs of a tenant for one webhook.
#[derive(Debug)]
pub struct CachedTenant {
    pub record: TenantRecord,
    /// The tenant's webhook secret and Connect material, as the plugin's `verify` takes them.
    pub verify_keys: VerifyKeys,
}

impl CachedTenant {
    #[expect(clippy::needless_pass_by_value, reason = "the cache's builder signature, shared with the worker")]
    pub fn build(record: TenantRecord, secrets: TenantSecrets) -> Self {
        let verify_keys = VerifyKeys::new(&(&secrets).into(), &record.settings);
        Self { record, verify_keys }
    }
}

pub type TenantCache = enhancer_shared::tenant::TenantCache<CachedTenant>;
