-- The initial schema: tenants, enhancement history, and the per-tenant corpus (tickets, knowledge base,
-- assets). Forward only: never edit this file after it has been applied anywhere; add a new migration.

-- Tenants. Secrets are AES-256-GCM ciphertexts (format byte, nonce, ciphertext and tag); `key_id` names
-- the master key that sealed them, so a rotation can find the rows still under an old key.
CREATE TABLE tenant_configs (
    tenant_id          text PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    tool               text NOT NULL
                       CHECK (tool IN ('servicedesk_plus', 'jira', 'zendesk', 'servicenow', 'freshservice', 'generic')),
    base_url           text NOT NULL,
    allow_insecure_url boolean NOT NULL DEFAULT false,
    credentials_enc    bytea NOT NULL,
    webhook_secret_enc bytea NOT NULL,
    key_id             text NOT NULL,
    settings           jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(settings) = 'object'),
    enabled            boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tenant_configs_key_id_idx ON tenant_configs (key_id);

-- Ingest caches tenant configs; every change is announced so caches can drop the entry at once instead of
-- waiting for their TTL.
CREATE FUNCTION notify_tenant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenant_changed', COALESCE(NEW.tenant_id, OLD.tenant_id));
    RETURN NULL;
END;
$$;

CREATE TRIGGER tenant_configs_changed
    AFTER INSERT OR UPDATE OR DELETE ON tenant_configs
    FOR EACH ROW EXECUTE FUNCTION notify_tenant_changed();

-- One row per enhancement. The unique (tenant_id, idempotency_key) is the final guard against a job being
-- processed twice when Redis dedup is unavailable or a message is delivered again.
CREATE TABLE enhancement_history (
    job_id             uuid PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES tenant_configs (tenant_id),
    ticket_id          text NOT NULL,
    idempotency_key    text NOT NULL,
    tool               text NOT NULL,
    event_kind         text NOT NULL CHECK (event_kind IN ('created', 'updated', 'commented')),
    status             text NOT NULL
                       CHECK (status IN ('queued', 'running', 'completed', 'failed', 'dead_lettered', 'ignored')),
    attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The worker holding a `running` row, and until when; a row whose lease ran out is taken over.
    claimed_by         text,
    lease_expires_at   timestamptz,
    gather_ms          integer CHECK (gather_ms >= 0),
    synthesize_ms      integer CHECK (synthesize_ms >= 0),
    update_ms          integer CHECK (update_ms >= 0),
    model              text,
    prompt_tokens      integer CHECK (prompt_tokens >= 0),
    completion_tokens  integer CHECK (completion_tokens >= 0),
    note_ref           text,
    error_class        text CHECK (error_class IN ('transient', 'permanent')),
    error_stage        text,
    error_message      text,
    ignored_reason     text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    started_at         timestamptz,
    finished_at        timestamptz,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, idempotency_key)
);

CREATE INDEX enhancement_history_tenant_created_idx ON enhancement_history (tenant_id, created_at DESC);
CREATE INDEX enhancement_history_ticket_idx ON enhancement_history (tenant_id, ticket_id);
-- Operators list what went wrong; completed and ignored rows are the bulk and are left out of this index.
CREATE INDEX enhancement_history_open_idx ON enhancement_history (status, created_at DESC)
    WHERE status NOT IN ('completed', 'ignored');

-- The per-tenant corpus for similar-ticket search. Subject weighs most, then description, then resolution.
CREATE TABLE tickets (
    tenant_id    text NOT NULL REFERENCES tenant_configs (tenant_id) ON DELETE CASCADE,
    ticket_id    text NOT NULL,
    subject      text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    resolution   text,
    status       text,
    priority     text CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    ip_addresses inet[] NOT NULL DEFAULT '{}',
    url          text,
    source       text NOT NULL DEFAULT 'webhook' CHECK (source IN ('webhook', 'import')),
    opened_at    timestamptz,
    resolved_at  timestamptz,
    indexed_at   timestamptz NOT NULL DEFAULT now(),
    search       tsvector GENERATED ALWAYS AS (
                     setweight(to_tsvector('english', subject), 'A')
                     || setweight(to_tsvector('english', description), 'B')
                     || setweight(to_tsvector('english', coalesce(resolution, '')), 'C')
                 ) STORED,
    PRIMARY KEY (tenant_id, ticket_id)
);

CREATE INDEX tickets_search_idx ON tickets USING gin (search);
-- "Other recent tickets that mention the same address": array overlap (&&) on the extracted IPs.
CREATE INDEX tickets_ip_addresses_idx ON tickets USING gin (ip_addresses);
CREATE INDEX tickets_tenant_indexed_idx ON tickets (tenant_id, indexed_at DESC);

-- The per-tenant knowledge base.
CREATE TABLE kb_articles (
    tenant_id  text NOT NULL REFERENCES tenant_configs (tenant_id) ON DELETE CASCADE,
    article_id text NOT NULL,
    title      text NOT NULL CHECK (length(title) > 0),
    body       text NOT NULL DEFAULT '',
    url        text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    search     tsvector GENERATED ALWAYS AS (
                   setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', body), 'B')
               ) STORED,
    PRIMARY KEY (tenant_id, article_id)
);

CREATE INDEX kb_articles_search_idx ON kb_articles USING gin (search);

-- The per-tenant inventory. `address` is a host (10.0.0.5/32) or a network (10.0.0.0/24); a ticket's IP
-- is matched by containment (ip <<= address), which the GiST inet_ops index serves.
CREATE TABLE assets (
    tenant_id   text NOT NULL REFERENCES tenant_configs (tenant_id) ON DELETE CASCADE,
    asset_id    text NOT NULL,
    address     inet NOT NULL,
    hostname    text,
    owner       text,
    location    text,
    criticality text CHECK (criticality IN ('critical', 'high', 'medium', 'low')),
    description text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, asset_id)
);

CREATE INDEX assets_address_idx ON assets USING gist (address inet_ops);
CREATE INDEX assets_tenant_hostname_idx ON assets (tenant_id, lower(hostname));
