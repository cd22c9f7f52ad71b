//! Prometheus metrics of the worker, served on `ENHANCER_WORKER__LISTEN` at `/metrics`. One registry per
//! process (not the global default), so tests can run several workers side by side.

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// Jobs by tenant, tool and outcome: completed, retried, dead_lettered, ignored, skipped (already done),
    /// deferred (another delivery of it was running).
    pub jobs: IntCounterVec,
    pub stage_duration: HistogramVec,
    /// From a delivery's arrival to its ack, nack or republish: the stages plus the tenant lookup, the pool
    /// waits and the ack itself, which no stage histogram covers.
    pub job_duration: HistogramVec,
    pub in_flight: IntGauge,
    pub retries: IntCounterVec,
    pub dead_lettered: IntCounterVec,
    /// From the webhook's arrival at ingest to the note being posted.
    pub webhook_to_note: HistogramVec,
    pub queue_messages: GaugeVec,
    pub llm_tokens: IntCounterVec,
    pub outbound_requests: IntCounterVec,
    pub last_consumed: Gauge,
    /// Documents in this worker's in-memory search indexes (all tenants), by kind: tickets, articles. Set
    /// at each scrape.
    pub search_index_documents: IntGaugeVec,
    /// Full rebuilds of the search indexes (after the first load of each), all tenants. Brought up to date
    /// at each scrape.
    pub search_index_rebuilds: IntCounter,
    pub semantic_rankings: IntCounterVec,
    pub embeddings_indexed: IntGaugeVec,
    pub embeddings_backfilled: IntCounter,
    pub embeddings_backfill_failures: IntCounter,
    pub embedding_model_changes: IntCounter,
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric")
}

fn histogram(name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> HistogramVec {
    HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets.to_vec()), labels).expect("valid metric")
}

/// Stages take milliseconds (claim, record) to tens of seconds (an LLM call).
const STAGE_BUCKETS: [f64; 14] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0];
/// End to end includes queueing and retries, so the buckets reach into hours.
const E2E_BUCKETS: [f64; 14] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 1800.0, 3600.0];

impl Metrics {
    pub fn new() -> Self {
        let metrics = Self {
            registry: Registry::new(),
            jobs: counter(
                "enhancer_worker_jobs_total",
                "Jobs by tenant, tool and outcome",
                &["tenant", "tool", "outcome"],
            ),
            stage_duration: histogram(
                "enhancer_worker_stage_duration_seconds",
                "Time per stage of a job",
                &["stage"],
                &STAGE_BUCKETS,
            ),
            job_duration: histogram(
                "enhancer_worker_job_duration_seconds",
                "From a delivery's arrival to its acknowledgement, by disposal",
                &["disposal"],
                &STAGE_BUCKETS,
            ),
            in_flight: IntGauge::new("enhancer_worker_jobs_in_flight", "Jobs being processed now")
                .expect("valid metric"),
            retries: counter("enhancer_worker_retries_total", "Jobs republished to a delay tier", &["tier"]),
            dead_lettered: counter(
                "enhancer_worker_dead_lettered_total",
                "Jobs sent to the dead-letter queue",
                &["tenant", "stage", "error_class"],
            ),
            webhook_to_note: histogram(
                "enhancer_worker_webhook_to_note_seconds",
                "From the webhook reaching ingest to the note being posted",
                &["tool"],
                &E2E_BUCKETS,
            ),
            queue_messages: GaugeVec::new(
                Opts::new(
                    "enhancer_worker_queue_messages",
                    "Messages ready in each queue, as the worker last saw them",
                ),
                &["queue"],
            )
            .expect("valid metric"),
            llm_tokens: counter("enhancer_worker_llm_tokens_total", "LLM tokens used", &["tenant", "model", "kind"]),
            outbound_requests: counter(
                "enhancer_worker_outbound_requests_total",
                "Calls to ticketing tools by tool, operation and result",
                &["tool", "operation", "status"],
            ),
            last_consumed: Gauge::new(
                "enhancer_worker_last_consumed_timestamp_seconds",
                "Unix time of the last message taken from the jobs queue",
            )
            .expect("valid metric"),
            search_index_documents: IntGaugeVec::new(
                Opts::new(
                    "enhancer_worker_search_index_documents",
                    "Documents in the worker's in-memory search indexes, all tenants, by kind",
                ),
                &["kind"],
            )
            .expect("valid metric"),
            search_index_rebuilds: IntCounter::new(
                "enhancer_worker_search_index_rebuilds_total",
                "Full rebuilds of the worker's in-memory search indexes (every 10 minutes, or on a count mismatch)",
            )
            .expect("valid metric"),
            semantic_rankings: counter(
                "enhancer_worker_semantic_rankings_total",
                "Notes ranked with an embedding server configured, by outcome: ranked (by meaning) or fallback \
                 (the server failed; ranked by words)",
                &["outcome"],
            ),
            embeddings_indexed: IntGaugeVec::new(
                Opts::new(
                    "enhancer_worker_embeddings_indexed",
                    "Stored embeddings in the worker's nearest-neighbour indexes, all tenants, by kind",
                ),
                &["kind"],
            )
            .expect("valid metric"),
            embeddings_backfilled: IntCounter::new(
                "enhancer_worker_embeddings_backfilled_total",
                "Past tickets and articles this worker's backfill embedded and stored",
            )
            .expect("valid metric"),
            embeddings_backfill_failures: IntCounter::new(
                "enhancer_worker_embeddings_backfill_failures_total",
                "Backfill batches that failed (embedding server or database); each waits 30 s before the next",
            )
            .expect("valid metric"),
            embedding_model_changes: IntCounter::new(
                "enhancer_worker_embedding_model_changes_total",
                "Probes that found another embedding model answering under the configured name; each dropped \
                 every stored vector of the name, which the backfill embeds again",
            )
            .expect("valid metric"),
        };
        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(metrics.jobs.clone()),
            Box::new(metrics.stage_duration.clone()),
            Box::new(metrics.job_duration.clone()),
            Box::new(metrics.in_flight.clone()),
            Box::new(metrics.retries.clone()),
            Box::new(metrics.dead_lettered.clone()),
            Box::new(metrics.webhook_to_note.clone()),
            Box::new(metrics.queue_messages.clone()),
            Box::new(metrics.llm_tokens.clone()),
            Box::new(metrics.outbound_requests.clone()),
            Box::new(metrics.last_consumed.clone()),
            Box::new(metrics.search_index_documents.clone()),
            Box::new(metrics.search_index_rebuilds.clone()),
            Box::new(metrics.semantic_rankings.clone()),
            Box::new(metrics.embeddings_indexed.clone()),
            Box::new(metrics.embeddings_backfilled.clone()),
            Box::new(metrics.embeddings_backfill_failures.clone()),
            Box::new(metrics.embedding_model_changes.clone()),
        ];
        for collector in collectors {
            metrics.registry.register(collector).expect("metric names are unique");
        }
        metrics
    }

    /// Counts one call to a ticketing tool: `ok`, or the failure's class (`transient`, `permanent`).
    pub fn outbound<T, E: enhancer_shared::error::Retryable>(
        &self,
        tool: &str,
        operation: &str,
        result: &Result<T, E>,
    ) {
        let status = match result {
            Ok(_) => "ok",
            Err(err) => err.disposition().class(),
        };
        self.outbound_requests.with_label_values(&[tool, operation, status]).inc();
    }

    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer).expect("text encoding cannot fail");
        String::from_utf8(buffer).expect("the text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
