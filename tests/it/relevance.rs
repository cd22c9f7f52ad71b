//! What a note shows, over real PostgreSQL: the gather stage's context (ranking, consensus, relevance
//! cut-offs) for a disk-space alert in a tenant whose corpus holds its near-duplicate, look-alikes from
//! other problems and everyday desk noise. An unrelated article is not shown, the resolved near-duplicate
//! comes first, and a knowledge base with nothing relevant makes the note say so.

use enhancer_shared::tenant::{StageToggles, TenantSettings};
use enhancer_tests::TestDb;
use enhancer_worker::context::TicketContext;
use enhancer_worker::corpus::import::{self, ArticleRow, TicketRow};
use enhancer_worker::corpus::search::Searcher;
use enhancer_worker::stages::gather::context_for;
use enhancer_worker::writer::empty::NO_ARTICLE;
use enhancer_worker::writer::{OfflineWriter, Writer};

use crate::context_search::ticket;

const TENANT: &str = "acme";

const TICKETS: [(&str, &str, &str, Option<&str>); 9] = [
    (
        "INC-100",
        "Disk space low on FS02, C: drive almost full",
        "Monitoring alert: the C: drive on file server FS02 has less than 5% free space. IIS logs keep growing.",
        Some("Deleted IIS logs older than 30 days and enabled log rotation; C: back to 40% free."),
    ),
    (
        "INC-101",
        "FS02 running out of disk space again",
        "Free space on FS02 dropped under 10% overnight, backups failed to write.",
        None,
    ),
    (
        "INC-102",
        "Server volume full, services failing",
        "The D: volume on APP03 is full; the application cannot write temp files.",
        Some("Cleared the temp folder and extended the volume by 50 GB."),
    ),
    (
        "INC-110",
        "Laptop very slow, disk at 100% in Task Manager",
        "My laptop is unusable, Task Manager shows the disk at 100% all the time.",
        Some("Disabled the search indexer and replaced the failing HDD with an SSD."),
    ),
    (
        "INC-120",
        "VPN keeps disconnecting every 30 minutes",
        "GlobalProtect drops the tunnel while working from home.",
        Some("Upgraded GlobalProtect to 6.1."),
    ),
    ("INC-130", "Printer on 3rd floor offline", "Print jobs stuck in the queue.", Some("Restarted the spooler.")),
    ("INC-140", "Cannot book a meeting room for Friday", "The room calendar shows no free space.", None),
    ("INC-141", "Request a second monitor", "I would like a second monitor for my desk.", None),
    ("INC-142", "Outlook mailbox full", "Outlook says my mailbox is over its size limit.", Some("Archived old mail.")),
];

const BOOKING: &str = "Booking meeting rooms and desks";

/// Articles that answer no disk problem, one of them sharing its words ("space", "free").
pub(crate) const UNRELATED_ARTICLES: [(&str, &str, &str); 3] = [
    (
        "KB-1",
        BOOKING,
        "Rooms and hot desks are booked in the Outlook calendar. Pick a free space on the floor plan, add the room \
         as a resource and check that it accepted. Desk bookings expire after 30 minutes without check-in.",
    ),
    (
        "KB-2",
        "VPN disconnects: upgrade GlobalProtect",
        "Symptoms: the tunnel drops every few minutes. Fix: upgrade GlobalProtect to 6.1 and set keep-alive to 60 s.",
    ),
    (
        "KB-3",
        "Printer offline: restart the spooler",
        "Symptoms: jobs stuck in the queue. Fix: restart the print spooler service and clear the queue.",
    ),
];

const DISK_ARTICLE: (&str, &str, &str) = (
    "KB-9",
    "Server disk space alerts: free up a full volume",
    "Symptoms: a monitoring alert says a server drive or volume is almost full; services fail to write logs or \
     backups. Cause: IIS logs, old backups and temp files. Fix: delete logs older than 30 days, enable log \
     rotation, clear temp files, extend the volume if it is still short of free space.",
);

pub(crate) async fn tenant(articles: &[(&str, &str, &str)]) -> TestDb {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, TENANT, "generic").await;
    let tickets: Vec<TicketRow> = TICKETS
        .iter()
        .map(|(id, subject, description, resolution)| TicketRow {
            ticket_id: (*id).into(),
            subject: (*subject).into(),
            description: (*description).into(),
            resolution: resolution.map(Into::into),
            status: Some(if resolution.is_some() { "resolved" } else { "open" }.into()),
            priority: None,
            opened_at: None,
            resolved_at: None,
            url: None,
        })
        .collect();
    import::tickets(&db.pool, TENANT, &tickets).await.expect("import tickets");
    let articles: Vec<ArticleRow> = articles
        .iter()
        .map(|(id, title, body)| ArticleRow {
            article_id: (*id).into(),
            title: (*title).into(),
            body: (*body).into(),
            url: Some(format!("https://kb.example.com/{id}")),
        })
        .collect();
    import::articles(&db.pool, TENANT, &articles).await.expect("import articles");
    db
}

/// The context of a new disk-space alert, as the gather stage builds it for the note.
async fn alert_context(db: &TestDb) -> TicketContext {
    let alert = ticket(
        "INC-200",
        "Disk space alert: FS02 C: drive 96% full",
        "Monitoring reports the C: drive of FS02 is almost full, less than 4% free space left.",
    );
    context_for(
        &Searcher::new(db.pool.clone()),
        TENANT,
        &alert,
        StageToggles { assets: false, ..StageToggles::default() },
    )
    .await
    .expect("context")
}

#[tokio::test]
async fn an_unrelated_article_is_not_shown() {
    let mut articles = UNRELATED_ARTICLES.to_vec();
    articles.push(DISK_ARTICLE);
    let db = tenant(&articles).await;
    let context = alert_context(&db).await;
    let titles: Vec<&str> = context.kb_articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles.first(), Some(&DISK_ARTICLE.1), "{titles:?}");
    assert!(!titles.contains(&BOOKING), "{titles:?}");
    assert!(titles.len() <= 3, "{titles:?}");
    let excerpt = &context.kb_articles[0].excerpt;
    assert!(excerpt.contains("full") || excerpt.contains("space"), "the shown article has its excerpt: {excerpt:?}");
}

#[tokio::test]
async fn a_near_duplicate_resolved_ticket_is_shown_first() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let context = alert_context(&db).await;
    let ids: Vec<&str> = context.similar_tickets.iter().map(|t| t.ticket_id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"INC-100"), "{ids:?}");
    assert!(context.similar_tickets[0].resolution.is_some());
    for noise in ["INC-120", "INC-130", "INC-140", "INC-141"] {
        assert!(!ids.contains(&noise), "{noise} shown: {ids:?}");
    }
    assert!(ids.len() <= 5, "{ids:?}");
}

#[tokio::test]
async fn a_knowledge_base_with_nothing_relevant_makes_the_note_say_so() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let context = alert_context(&db).await;
    assert!(context.kb_articles.is_empty(), "{:?}", context.kb_articles);
    let alert = ticket("INC-200", "Disk space alert: FS02 C: drive 96% full", "C: almost full.");
    let note = OfflineWriter.write(&alert, &context, &TenantSettings::default()).await.expect("note").markdown;
    assert!(note.contains(&format!("## Knowledge base\n\n{NO_ARTICLE}\n")), "{note}");
    assert!(!note.contains("Booking"), "{note}");
    assert!(note.contains("INC-100"), "the similar-ticket section still lists the duplicate: {note}");
}
