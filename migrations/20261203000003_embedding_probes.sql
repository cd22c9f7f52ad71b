-- The vector the embedding model gives one fixed probe text, per model name (worker/src/corpus/search/
-- semantic/probe.rs): each worker embeds the probe when its backfill starts a full walk and compares. A
-- vector unlike the stored one means another model now answers under the same name, with the same dimension
-- or not: the stored vectors of that name are then another model's, never comparable with the new ones, and
-- are deleted (every tenant's) so that the backfill embeds the corpus again.

CREATE TABLE embedding_probes (
    model     text PRIMARY KEY,
    vector    real[] NOT NULL,
    probed_at timestamptz NOT NULL DEFAULT now()
);
