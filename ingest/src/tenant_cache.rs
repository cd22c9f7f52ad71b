//! What ingest keeps of a tenant between webhooks: the record and the decrypted secrets its plugin's
//! `verify` borrows, in the shared per-process [`enhancer_shared::tenant::TenantCache`].

use enhancer_plugins::VerifyKeys;
use enhancer_shared::tenant::{TenantRecord, TenantSecrets};

/// What ingest needs of a tenant for one webhook.
#[derive(Debug)]
pub struct CachedTenant {
    pub record: TenantRecord,
    pub secrets: TenantSecrets,
}

impl CachedTenant {
    pub fn build(record: TenantRecord, secrets: TenantSecrets) -> Self {
        Self { record, secrets }
    }

    /// The tenant's webhook secret and Connect material, as the plugin's `verify` takes them (borrowed).
    pub fn verify_keys(&self) -> VerifyKeys<'_> {
        VerifyKeys::new(&self.secrets, &self.record.settings)
    }
}

pub type TenantCache = enhancer_shared::tenant::TenantCache<CachedTenant>;
