//! What the worker keeps of a tenant between jobs: the record and the decrypted secrets, in the shared
//! per-process [`enhancer_shared::tenant::TenantCache`]. Reading both from PostgreSQL for every job was two
//! of a job's five statements (docs/BENCHMARKS.md).

use enhancer_shared::tenant::{TenantRecord, TenantSecrets};

#[derive(Debug)]
pub struct WorkerTenant {
    pub record: TenantRecord,
    pub secrets: TenantSecrets,
}

impl WorkerTenant {
    pub fn build(record: TenantRecord, secrets: TenantSecrets) -> Self {
        Self { record, secrets }
    }
}

pub type TenantCache = enhancer_shared::tenant::TenantCache<WorkerTenant>;
