-- Claims carry a token made at random by each worker process at start-up. `claimed_by` (the configurable
-- `worker.id`, by default the host name) stays as a label for operators: two processes can share a name
-- (two replicas with one `worker.id`, a restarted pod), so a name cannot say whether a claim is this
-- process's own. The token can. No index: the worker finds a row by job_id or (tenant_id, idempotency_key),
-- and an unindexed column keeps the lease renewals and the completion HOT updates.
ALTER TABLE enhancement_history ADD COLUMN claim_token uuid;
