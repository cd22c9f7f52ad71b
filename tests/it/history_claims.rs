//! Claims in `enhancement_history`, statement by statement: a claim belongs to a process's claim token, not
//! to its `worker.id`; a live lease keeps every other process out, an expired one is taken over, and the
//! original holder then can neither renew nor record over its successor.

use std::time::Duration;

use enhancer_shared::{EnhancementJob, EventKind, Priority, TenantId, TicketEvent, TicketId, ToolKind};
use enhancer_tests::TestDb;
use enhancer_worker::job::history::{self, ClaimOutcome, Claimant, Failure, StageTimes};
use uuid::Uuid;

fn job(ticket: &str) -> EnhancementJob {
    let event = TicketEvent {
        ticket_id: TicketId::parse(ticket).expect("ticket"),
        kind: EventKind::Created,
        actor: None,
        subject: Some("VPN drops".into()),
        priority: Priority::High,
        occurred_at: None,
        idempotency_key: Some(format!("delivery-{ticket}")),
        self_authored: false,
    };
    EnhancementJob::new(
        TenantId::parse("acme").expect("tenant"),
        ToolKind::Generic,
        format!("delivery-{ticket}"),
        event,
    )
}

/// Two processes that share one `worker.id`, as two replicas configured alike would.
fn same_label_processes() -> (Claimant<'static>, Claimant<'static>) {
    (Claimant { token: Uuid::new_v4(), label: "worker-0" }, Claimant { token: Uuid::new_v4(), label: "worker-0" })
}

async fn status_and_token(db: &TestDb, ticket: &str) -> (String, Option<Uuid>, i32) {
    sqlx::query_as("SELECT status, claim_token, attempts FROM enhancement_history WHERE ticket_id = $1")
        .bind(ticket)
        .fetch_one(&db.pool)
        .await
        .expect("row")
}

#[tokio::test]
async fn a_live_claim_is_not_taken_by_another_process_with_the_same_worker_id() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, "acme", "generic").await;
    let (a, b) = same_label_processes();
    let job = job("1");
    let lease = Duration::from_secs(30);

    let first = history::claim(&db.pool, &job, a, lease).await.expect("claim");
    let ClaimOutcome::Claimed { enhancement_id, attempts: 1 } = first else { panic!("A claims: {first:?}") };
    let held = history::claim(&db.pool, &job, b, lease).await.expect("claim");
    match held {
        ClaimOutcome::HeldElsewhere { lease_left } => {
            assert!(lease_left > Duration::from_secs(20) && lease_left <= lease, "lease left: {lease_left:?}");
        }
        other => panic!("B must wait for A's lease, got {other:?}"),
    }
    assert_eq!(status_and_token(&db, "1").await, ("running".into(), Some(a.token), 1));
    assert!(history::renew(&db.pool, enhancement_id, a.token, lease).await.expect("renew"), "A still holds it");
    assert!(!history::renew(&db.pool, enhancement_id, b.token, lease).await.expect("renew"), "B never held it");

    // Within one process the running set keeps a second delivery away, so a live claim under this
    // process's own token is a leftover of an earlier delivery here, and is resumed.
    let resumed = history::claim(&db.pool, &job, a, lease).await.expect("claim");
    assert_eq!(resumed, ClaimOutcome::Claimed { enhancement_id, attempts: 2 });
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_the_old_holder_can_neither_renew_nor_record() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, "acme", "generic").await;
    let (a, b) = same_label_processes();
    let job = job("2");
    let short = Duration::from_millis(300);

    let ClaimOutcome::Claimed { enhancement_id, .. } = history::claim(&db.pool, &job, a, short).await.expect("claim")
    else {
        panic!("A claims")
    };
    tokio::time::sleep(Duration::from_millis(600)).await;
    let taken = history::claim(&db.pool, &job, b, Duration::from_secs(30)).await.expect("claim");
    assert_eq!(taken, ClaimOutcome::Claimed { enhancement_id, attempts: 2 }, "a takeover is never attempt 1");

    assert!(!history::renew(&db.pool, enhancement_id, a.token, short).await.expect("renew"), "A lost it");
    let failure = Failure {
        status: "failed",
        error_class: "transient",
        stage: "update",
        message: "late",
        times: StageTimes::default(),
    };
    history::fail(&db.pool, enhancement_id, a.token, &failure).await.expect("fail");
    assert_eq!(
        status_and_token(&db, "2").await,
        ("running".into(), Some(b.token), 2),
        "A's late failure must not free B's running claim for a third worker"
    );
}

#[tokio::test]
async fn released_claims_are_taken_over_at_once() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, "acme", "generic").await;
    let (a, b) = same_label_processes();
    let job = job("3");
    let lease = Duration::from_secs(30);
    history::claim(&db.pool, &job, a, lease).await.expect("claim");
    assert_eq!(history::release_all(&db.pool, a.token).await.expect("release"), 1);
    let taken = history::claim(&db.pool, &job, b, lease).await.expect("claim");
    assert!(matches!(taken, ClaimOutcome::Claimed { attempts: 2, .. }), "{taken:?}");
}
