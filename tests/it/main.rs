//! One integration binary for black-box tests over real PostgreSQL, RabbitMQ and Redis.
//! Each test gets its own database (see `enhancer_tests::TestDb`) and its own queue prefix.

mod assets;
mod context_e2e;
mod context_search;
mod corpus_bulk;
mod corpus_updates;
mod dlq_cli;
mod e2e_freshservice;
mod e2e_servicenow;
mod e2e_zendesk;
mod history_claims;
mod history_cli;
mod hostile_input;
mod import_cli;
mod ingest_contract;
mod ingest_edge;
mod ingest_plugins;
mod ingest_resilience;
mod ip_extract;
mod key_rotation;
mod legacy_import;
mod llm_writer;
mod migrations;
mod offline_writer;
mod queue;
mod relevance;
mod search_index;
mod search_scale;
mod semantic_ranking;
mod semantic_store;
mod tenant_cli;
mod thesaurus;
mod trace_propagation;
mod worker_broker_outage;
mod worker_e2e;
mod worker_e2e_takeover;
