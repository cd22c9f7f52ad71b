//! `dlq list` and `dlq show`: read the dead-letter queue and leave it exactly as it was.

use anyhow::bail;
use chrono::Utc;
use enhancer_shared::config::Config;
use serde_json::Value;

use super::broker::DeadQueue;
use super::browse::{MAX_HELD, Walk};
use super::dead_letter::{DeadLetter, ERROR_CLASSES, Filter};
use super::header_json;
use crate::cli::CliIo;
use crate::cli::args::DlqListArgs;
use crate::cli::history::shorten;
use crate::cli::output::Table;
use crate::cli::since;

pub async fn list(args: DlqListArgs, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    if let Some(class) = &args.error_class
        && !ERROR_CLASSES.contains(&class.as_str())
    {
        bail!("invalid --error-class {class:?}: expected one of {}", ERROR_CLASSES.join(", "));
    }
    if !(1..=usize::from(MAX_HELD)).contains(&args.limit) {
        bail!("invalid --limit {}: expected 1 to {MAX_HELD}", args.limit);
    }
    let since = args.since.as_deref().map(|raw| since::parse(raw, Utc::now())).transpose()?;
    let filter = Filter { id: None, tenant: args.tenant, error_class: args.error_class, since };
    let (found, walked) = collect(config, &filter, args.limit).await?;
    if args.json {
        let rows: Vec<Value> = found.iter().map(DeadLetter::summary_json).collect();
        return io.println(serde_json::to_string_pretty(&rows)?);
    }
    if walked.ready == 0 {
        return io.println("the dead-letter queue is empty");
    }
    if found.is_empty() {
        io.println("no dead letters match")?;
    } else {
        io.println(table(&found).render())?;
    }
    io.println(walked.footer(found.len()))
}

pub async fn show(id: String, json: bool, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let filter = Filter { id: Some(id.clone()), ..Filter::default() };
    let (found, walked) = collect(config, &filter, 1).await?;
    let Some(dead) = found.into_iter().next() else {
        bail!("no dead letter with id {id:?} among the {} in the dead-letter queue", walked.taken);
    };
    if json {
        let mut value = dead.summary_json();
        value["headers"] = header_json::table(&dead.headers);
        value["body"] = body_json(&dead.body);
        return io.println(serde_json::to_string_pretty(&value)?);
    }
    io.println(show_text(&dead))
}

/// How much of the queue a listing looked at.
#[derive(Debug)]
struct Walked {
    ready: u32,
    taken: u32,
}

impl Walked {
    fn footer(&self, shown: usize) -> String {
        let mut footer = format!("{shown} shown; {} dead letter(s) in the queue", self.ready);
        if self.taken < self.ready {
            footer.push_str(&format!(" (looked at the first {}; raise --limit or narrow the filters)", self.taken));
        }
        footer
    }
}

/// Up to `limit` dead letters matching `filter`, oldest first; the queue is left as it was.
async fn collect(config: &Config, filter: &Filter, limit: usize) -> anyhow::Result<(Vec<DeadLetter>, Walked)> {
    let queue = DeadQueue::connect(config).await?;
    let mut walk = Walk::start(&queue).await?;
    let mut found = Vec::new();
    // Errors are kept until the walk is finished: the messages go back first.
    let walked = async {
        while found.len() < limit {
            let Some(taken) = walk.next().await? else { break };
            if filter.matches(&taken.dead) {
                found.push(taken.dead);
            }
        }
        anyhow::Ok(())
    }
    .await;
    let summary = Walked { ready: walk.ready(), taken: walk.taken() };
    let finished = walk.finish().await;
    queue.close().await;
    walked?;
    finished?;
    Ok((found, summary))
}

fn table(found: &[DeadLetter]) -> Table {
    let mut table = Table::new(vec!["ID", "TENANT", "TICKET", "CLASS", "STAGE", "ATTEMPTS", "FAILED AT", "ERROR"]);
    for dead in found {
        table.push(vec![
            dead.id.clone(),
            or_dash(dead.tenant_id.as_deref()),
            or_dash(dead.ticket_id.as_deref()),
            dead.error_class.clone(),
            or_dash(dead.stage.as_deref()),
            dead.attempts.map_or_else(|| "-".to_owned(), |n| n.to_string()),
            or_dash(dead.failed_at_text().as_deref()),
            shorten(&dead.error_message, 60),
        ]);
    }
    table
}

fn show_text(dead: &DeadLetter) -> String {
    let replayable = match &dead.job {
        Ok(_) => "yes".to_owned(),
        Err(reason) => format!("no: {reason}"),
    };
    let fields: Vec<String> = [
        ("id", dead.id.clone()),
        ("job id", or_dash(dead.job_id.as_deref())),
        ("tenant", or_dash(dead.tenant_id.as_deref())),
        ("ticket", or_dash(dead.ticket_id.as_deref())),
        ("error class", dead.error_class.clone()),
        ("error message", or_dash(Some(dead.error_message.as_str()).filter(|message| !message.is_empty()))),
        ("stage", or_dash(dead.stage.as_deref())),
        ("attempts", dead.attempts.map_or_else(|| "-".to_owned(), |n| n.to_string())),
        ("failed at", or_dash(dead.failed_at_text().as_deref())),
        ("replayable", replayable),
    ]
    .into_iter()
    .map(|(name, value)| format!("{:<15}{value}", format!("{name}:")))
    .collect();
    let headers = serde_json::to_string_pretty(&header_json::table(&dead.headers)).unwrap_or_default();
    let body = match serde_json::from_slice::<Value>(&dead.body) {
        Ok(value) => serde_json::to_string_pretty(&value).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(&dead.body).into_owned(),
    };
    format!("{}\n\nheaders:\n{headers}\n\nbody:\n{body}", fields.join("\n"))
}

/// The body as JSON when it is JSON, else as (lossy) text.
fn body_json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn or_dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}
