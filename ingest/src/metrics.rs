//! Prometheus metrics of ingest, served as text on `GET /metrics`. One registry per process (not the
//! global default), so tests can run several ingest instances side by side.

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// Webhooks by tenant, tool and outcome (`queued`, `duplicate`, `ignored`, or an error code).
    pub requests: IntCounterVec,
    /// Time from request to answer, by outcome.
    pub latency: HistogramVec,
    /// Time from publish to broker confirm.
    pub publish_latency: HistogramVec,
    pub dedup_hits: IntCounterVec,
    pub signature_failures: IntCounterVec,
    /// Redis calls that failed or timed out, by operation; ingest carried on without Redis.
    pub redis_fallbacks: IntCounterVec,
    /// Requests refused to protect the process, by reason (`tenant_lookups`, `concurrency`,
    /// `verify_failures`): load shedding and throttling at the edge.
    pub shed: IntCounterVec,
}

/// Buckets from 0.5 ms to 2.5 s: ingest answers in single milliseconds, a broker in trouble in seconds.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("enhancer_ingest_webhooks_total", "Webhooks received, by tenant, tool and outcome"),
            &["tenant", "tool", "outcome"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new("enhancer_ingest_webhook_duration_seconds", "Webhook handling time, by outcome")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["outcome"],
        )
        .expect("valid metric");
        let publish_latency = HistogramVec::new(
            HistogramOpts::new("enhancer_ingest_publish_duration_seconds", "Publish until broker confirm, by result")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["result"],
        )
        .expect("valid metric");
        let dedup_hits = IntCounterVec::new(
            Opts::new("enhancer_ingest_dedup_hits_total", "Webhooks answered as duplicates, by tenant"),
            &["tenant"],
        )
        .expect("valid metric");
        let signature_failures = IntCounterVec::new(
            Opts::new("enhancer_ingest_signature_failures_total", "Webhooks refused with 401, by tenant"),
            &["tenant"],
        )
        .expect("valid metric");
        let redis_fallbacks = IntCounterVec::new(
            Opts::new("enhancer_ingest_redis_fallbacks_total", "Redis calls that failed; ingest continued without"),
            &["operation"],
        )
        .expect("valid metric");
        let shed = IntCounterVec::new(
            Opts::new("enhancer_ingest_shed_total", "Requests refused to protect ingest (503 or 429), by reason"),
            &["reason"],
        )
        .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(publish_latency.clone()),
            Box::new(dedup_hits.clone()),
            Box::new(signature_failures.clone()),
            Box::new(redis_fallbacks.clone()),
            Box::new(shed.clone()),
        ] {
            registry.register(collector).expect("metric names are unique");
        }
        Self { registry, requests, latency, publish_latency, dedup_hits, signature_failures, redis_fallbacks, shed }
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
