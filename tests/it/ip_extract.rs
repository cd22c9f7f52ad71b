//! IP extraction on realistic ticket text, and its normalized form surviving a round trip through
//! PostgreSQL's `inet` unchanged (the form `assets` and `tickets.ip_addresses` store and compare).

use enhancer_shared::ip_extract::extract;
use enhancer_tests::TestDb;

const TICKET: &str = "Subject: VPN gateway 10.20.30.40 unreachable since v2.4.1.7 upgrade\n\
    Users on 192.168.10.0/24 (floor 3) cannot reach https://10.20.30.40:8443/portal. The old gateway\n\
    [10.20.30.41] still answers; ping 300.1.1.1 was a typo. IPv6 users hit http://[2001:db8:10::40]:443/ and\n\
    fe80::1%eth0 shows up in the logs. See also 10.20.30.40, and the route 172.16.5.9/16.";

#[test]
fn finds_every_address_in_a_ticket_and_nothing_else() {
    assert_eq!(
        extract(TICKET),
        ["10.20.30.40", "192.168.10.0/24", "10.20.30.41", "2001:db8:10::40", "fe80::1", "172.16.0.0/16",]
    );
}

#[tokio::test]
async fn extracted_addresses_round_trip_through_inet() {
    let test_db = TestDb::migrated().await;
    let extracted = extract(&format!("{TICKET} ::ffff:10.1.2.3 2001:db8::/32 0.0.0.0/0"));
    let stored: Vec<String> = sqlx::query_scalar("SELECT abbrev(a) FROM unnest($1::text[]::inet[]) AS a")
        .bind(&extracted)
        .fetch_all(&test_db.pool)
        .await
        .expect("cast to inet");
    assert_eq!(stored, extracted);
}
