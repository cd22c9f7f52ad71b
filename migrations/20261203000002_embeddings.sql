-- The embeddings of past tickets and knowledge-base articles, one per document, for the search by meaning
-- (worker/src/corpus/search/semantic/): written by the workers' backfill (every document without a vector
-- of the configured model for its current version) and by notes that embedded a candidate themselves; read
-- into each worker's in-memory nearest-neighbour index, and by the notes whose candidates are not in the
-- worker's cache. Shared, so that each document is embedded once for all workers rather than once per
-- worker, and so that a new or restarted worker does not embed the corpus again.
--
-- `stamp` is the version of the document that was embedded (`tickets.indexed_at`, `kb_articles.updated_at`):
-- a vector whose stamp differs is stale and is neither used nor kept (the backfill embeds the document
-- again). `model` is the embedding model's name: vectors of different models are not comparable, and a
-- vector of another model counts as missing. `embedded_at` is the writing transaction's time, which the
-- workers' indexes catch up by. Deleting a document (or its tenant) deletes its vector.

CREATE TABLE ticket_embeddings (
    tenant_id   text NOT NULL,
    ticket_id   text NOT NULL,
    model       text NOT NULL,
    stamp       timestamptz NOT NULL,
    vector      real[] NOT NULL,
    embedded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, ticket_id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, ticket_id) ON DELETE CASCADE
);

CREATE TABLE article_embeddings (
    tenant_id   text NOT NULL,
    article_id  text NOT NULL,
    model       text NOT NULL,
    stamp       timestamptz NOT NULL,
    vector      real[] NOT NULL,
    embedded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, article_id),
    FOREIGN KEY (tenant_id, article_id) REFERENCES kb_articles (tenant_id, article_id) ON DELETE CASCADE
);

-- The workers' indexes catch up by what was written since their previous read.
CREATE INDEX ticket_embeddings_written_idx ON ticket_embeddings (tenant_id, model, embedded_at);
CREATE INDEX article_embeddings_written_idx ON article_embeddings (tenant_id, model, embedded_at);
