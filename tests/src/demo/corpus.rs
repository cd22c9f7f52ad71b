//! What the demo tenant "already knows": a few resolved past tickets, knowledge-base articles and assets,
//! so that the demo's notes show real context (similar tickets, articles, the assets behind addresses).

use sqlx::PgPool;

use enhancer_worker::corpus::import::{self, ArticleRow, AssetRow, Criticality, TicketRow};

const PAST_TICKETS: [(&str, &str, &str, &str); 5] = [
    (
        "HIST-311",
        "VPN connection drops every few minutes since client update",
        "After the VPN client update users are disconnected every 5 to 10 minutes and must log in again. Gateway vpn-gw-02 (10.20.30.40).",
        "Rolled the VPN client back to 5.2 on affected laptops and raised the idle timeout on vpn-gw-02 from 300 to 3600 seconds. Confirmed stable for 24 hours.",
    ),
    (
        "HIST-287",
        "Printer reports paper jam in tray 2 but tray is empty",
        "PRN-2F-WEST shows a paper jam in tray 2; nothing is stuck. Jobs queue up.",
        "A torn paper scrap was stuck behind the tray 2 feed roller. Removed it, cleaned the roller and power-cycled the printer. Ordered a maintenance kit.",
    ),
    (
        "HIST-402",
        "File server volume almost full",
        "Volume D: on fs-hamburg-01 reached 95%. Users cannot save project files.",
        "Moved project archives older than 12 months to the archive share, enabled the monthly archive job and extended the volume by 200 GB.",
    ),
    (
        "HIST-156",
        "Account locked after password change",
        "User locked out of SAP after changing the Windows password.",
        "Unlocked the account in SAP (SU01), reset the password and told the user to update saved credentials on the phone.",
    ),
    (
        "HIST-090",
        "Outlook search not returning results",
        "Outlook search finds nothing for emails older than a week.",
        "Rebuilt the Windows search index on the laptop.",
    ),
];

const KB: [(&str, &str, &str, &str); 4] = [
    (
        "KB-014",
        "VPN client keeps disconnecting",
        "If the VPN client disconnects every few minutes, check the gateway idle timeout, the client version against the supported list, and whether the laptop's Wi-Fi power saving is on.",
        "https://kb.example.com/vpn/disconnects",
    ),
    (
        "KB-022",
        "Clearing a false paper jam",
        "A paper jam message with an empty tray usually means a scrap behind the feed roller or a dirty sensor. Open the rear door, check the roller, clean the sensor.",
        "https://kb.example.com/printers/false-jam",
    ),
    (
        "KB-031",
        "Freeing disk space on file servers",
        "Run the archive job, find large old files with the storage report, and request a volume extension if usage stays above 85%.",
        "https://kb.example.com/storage/free-space",
    ),
    (
        "KB-040",
        "Unlocking SAP accounts",
        "Locked SAP accounts are unlocked in transaction SU01 by the service desk after verifying the user's identity.",
        "https://kb.example.com/sap/unlock",
    ),
];

const ASSETS: [(&str, &str, &str, &str, &str, Criticality); 3] = [
    ("vpn-gw-02", "10.20.30.0/24", "vpn-gw-02", "Network team", "Berlin DC, rack B4", Criticality::Critical),
    ("prn-3f-east", "192.168.3.25", "PRN-3F-EAST", "Facilities IT", "Berlin HQ, floor 3", Criticality::Medium),
    ("fs-berlin-01", "10.20.5.12", "fs-berlin-01", "Infrastructure team", "Berlin DC, rack A2", Criticality::High),
];

/// Loads the demo corpus for `tenant` (called right after the tenant is created), through the same import
/// path as `enhancer-worker import`.
pub async fn seed(pool: &PgPool, tenant: &str) -> Result<(), sqlx::Error> {
    let tickets = PAST_TICKETS.map(|(id, subject, description, resolution)| TicketRow {
        ticket_id: id.into(),
        subject: subject.into(),
        description: description.into(),
        resolution: Some(resolution.into()),
        status: Some("resolved".into()),
        ..TicketRow::default()
    });
    let articles = KB.map(|(id, title, body, url)| ArticleRow {
        article_id: id.into(),
        title: title.into(),
        body: body.into(),
        url: Some(url.into()),
    });
    let assets = ASSETS.map(|(id, address, hostname, owner, location, criticality)| AssetRow {
        asset_id: id.into(),
        address: address.into(),
        hostname: Some(hostname.into()),
        owner: Some(owner.into()),
        location: Some(location.into()),
        criticality: Some(criticality),
        description: None,
    });
    import::tickets(pool, tenant, &tickets).await?;
    import::articles(pool, tenant, &articles).await?;
    import::assets(pool, tenant, &assets).await?;
    Ok(())
}
