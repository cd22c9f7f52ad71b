//! Ingest's edge under abuse (docs/SECURITY.md, "Ingest edge"): replayed deliveries, floods of unknown
//! tenant ids, slow clients and failed verifications must not hurt real deliveries.

use enhancer_shared::tenant::{RateLimit, TenantSettings};
use enhancer_tests::signing::generic_created;

use crate::ingest_contract::{post_signed, setup};

/// A captured delivery resent in a loop is answered `duplicate` without spending the tenant's rate budget,
/// so the tool's next real delivery is still accepted.
#[tokio::test]
async fn replayed_duplicates_do_not_spend_the_rate_budget() {
    let settings = TenantSettings { rate_limit: RateLimit { per_second: 1, burst: 2 }, ..TenantSettings::default() };
    let (_db, ingest) = setup(settings, &[]).await;
    ingest.broker.expect_leftovers();
    let body = generic_created("31", "captured");
    assert_eq!(post_signed(&ingest, "acme", "replayed", &body).await.status(), 202);
    for _ in 0..20 {
        assert_eq!(post_signed(&ingest, "acme", "replayed", &body).await.status(), 200, "a duplicate");
    }
    let fresh = post_signed(&ingest, "acme", "fresh", &generic_created("32", "real")).await;
    assert_eq!(fresh.status(), 202, "the budget is intact for a new delivery");
    // The budget is still enforced for new deliveries, and a refused one claims nothing: its retry is new.
    let mut refused = None;
    for n in 0..10 {
        let id = format!("new{n}");
        if post_signed(&ingest, "acme", &id, &generic_created("33", &id)).await.status() == 429 {
            refused = Some(id);
            break;
        }
    }
    let refused = refused.expect("new deliveries at once run into the limit");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let retry = post_signed(&ingest, "acme", &refused, &generic_created("33", &refused)).await;
    assert_eq!(retry.status(), 202, "the refused delivery claimed nothing");
}
