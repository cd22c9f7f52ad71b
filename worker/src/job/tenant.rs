//! What the worker keeps of a tenant between jobs: the record and the decrypted secrets, in the shared
//! per-process [`enhancer_shared::tenant::TenantCache`]. Reading both from PostgreSQL for every job was two
//! of a job's five statements (docs/BENCHMARKS.md). And the tenant step of a job: is there a tenant to
//! enhance for?

use std::sync::Arc;

use enhancer_shared::domain::EnhancementJob;
use enhancer_shared::tenant::{TenantRecord, TenantSecrets};

use super::context::WorkerContext;
use super::history;
use crate::stages::{Stage, StageError};

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

/// The job's tenant, or `None` when the job is not processed: the tenant is gone (nothing can be recorded,
/// history references tenants) or disabled (recorded as ignored, never retried).
pub(super) async fn admit(ctx: &WorkerContext, job: &EnhancementJob) -> Result<Option<Arc<WorkerTenant>>, StageError> {
    let cached = ctx.tenants.get(&job.tenant_id).await.map_err(|err| StageError::from_error(Stage::Tenant, &err))?;
    let Some(tenant) = cached else {
        tracing::warn!("tenant no longer exists: job ignored");
        return Ok(None);
    };
    if !tenant.record.enabled {
        history::ignore(&ctx.pool, job, "tenant disabled")
            .await
            .map_err(|err| StageError::from_error(Stage::Tenant, &err))?;
        tracing::info!("tenant disabled: job ignored");
        return Ok(None);
    }
    Ok(Some(tenant))
}
