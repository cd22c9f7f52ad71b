//! One trace per webhook: the ingest request span starts it, the job message carries it (`traceparent`),
//! and the worker's job span joins it.

use std::time::Duration;

use enhancer_tests::worker::{TestWorker, wait_for_status};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt as _;

use crate::ingest_contract::post_signed;
use crate::worker_e2e::pipeline;

// A current-thread runtime: every task of ingest and the worker runs on this thread, so the subscriber set
// as this thread's default sees all their spans without touching other tests.
#[tokio::test(flavor = "current_thread")]
async fn a_job_carries_the_trace_its_webhook_started() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    let _guard = tracing::subscriber::set_default(subscriber);

    let p = pipeline(&[]).await;
    let response =
        post_signed(&p.ingest, "acme", "traced-1", &enhancer_tests::signing::generic_created("T-1", "x")).await;
    assert_eq!(response.status(), 202);
    let (job, headers) = p.ingest.take_job().await.expect("a job");
    let traceparent =
        enhancer_shared::queue::JobHeaders::from_field_table(&headers).traceparent.expect("traceparent header");
    // Put it back for the worker, headers and all.
    p.ingest
        .state
        .publisher
        .publish_job(&job, &enhancer_shared::queue::JobHeaders::from_field_table(&headers))
        .await
        .expect("republish");

    let worker = TestWorker::spawn(&p.worker_config).await;
    wait_for_status(&p.db.pool, "acme", "T-1", "completed", Duration::from_secs(30)).await;
    worker.stop().await;
    provider.force_flush().expect("flush");

    let spans = exporter.get_finished_spans().expect("spans");
    let request = spans.iter().find(|s| s.name == "POST /webhooks/{tenant_id}").expect("the ingest request span");
    let consumed = spans.iter().find(|s| s.name == "process enhancement_job").expect("the worker's job span");
    let trace_id = request.span_context.trace_id();
    assert_eq!(consumed.span_context.trace_id(), trace_id, "the worker joined the webhook's trace");
    assert_eq!(consumed.parent_span_id, request.span_context.span_id(), "the job span is a child of the request");
    assert!(traceparent.contains(&trace_id.to_string()), "{traceparent} carries {trace_id}");
}
