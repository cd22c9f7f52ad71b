//! `enhancer-worker import tickets|kb|assets <file> --tenant <id>`: fills a tenant's corpus, knowledge base
//! or inventory from CSV, JSON (an array or JSON Lines) or, for `kb`, Markdown files. The formats are in
//! `docs/OPERATIONS.md`, "Importing tickets, knowledge base and assets".
//!
//! The whole input is read and every row validated before the first write, so a malformed file writes
//! nothing and a bad row is reported with its line instead of stopping the rest. Each good row is written
//! by [`crate::corpus::import`]: one upsert statement, whole or not at all, and importing the same file
//! again updates the rows instead of duplicating them.

mod assets;
mod csv_source;
mod fields;
mod json_source;
mod kb;
mod markdown;
mod report;
mod tickets;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use enhancer_shared::config::Config;
use enhancer_shared::db;
use enhancer_shared::domain::TenantId;
use indicatif::{ProgressBar, ProgressStyle};
use sqlx::PgPool;

use super::CliIo;
use crate::corpus::import::{self as corpus_import, ArticleRow, AssetRow, TicketRow, Written};
use fields::{Fields, Position, Record};
use report::Report;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Past tickets for similar-ticket search (CSV or JSON).
    Tickets(ImportArgs),
    /// Knowledge-base articles (CSV, JSON, or a folder of Markdown files).
    Kb(ImportArgs),
    /// Hosts and networks for the IP cross-reference (CSV or JSON).
    Assets(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (`-` reads stdin); for `kb`, also a folder of `*.md` files.
    pub file: PathBuf,
    /// The tenant the rows belong to; it must exist.
    #[arg(long, value_parser = tenant_id)]
    pub tenant: TenantId,
    /// By default taken from the extension (`.csv`, `.json`, `.jsonl`, `.md`, a folder is Markdown), else
    /// from the content.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
    Markdown,
}

fn tenant_id(raw: &str) -> Result<TenantId, String> {
    TenantId::parse(raw).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tickets,
    Kb,
    Assets,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Tickets => "tickets",
            Kind::Kb => "kb",
            Kind::Assets => "assets",
        }
    }

    /// The columns this kind knows, and the ones a CSV header must have.
    fn columns(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Kind::Tickets => (tickets::FIELDS, tickets::REQUIRED),
            Kind::Kb => (kb::FIELDS, kb::REQUIRED),
            Kind::Assets => (assets::FIELDS, assets::REQUIRED),
        }
    }

    fn validate(self, fields: &Fields) -> Result<Row, String> {
        match self {
            Kind::Tickets => tickets::validate(fields).map(Row::Ticket),
            Kind::Kb => kb::validate(fields).map(Row::Article),
            Kind::Assets => assets::validate(fields).map(Row::Asset),
        }
    }
}

/// A validated row, ready to write.
#[derive(Debug)]
enum Row {
    Ticket(TicketRow),
    Article(ArticleRow),
    Asset(AssetRow),
}

impl Row {
    fn id(&self) -> &str {
        match self {
            Row::Ticket(row) => &row.ticket_id,
            Row::Article(row) => &row.article_id,
            Row::Asset(row) => &row.asset_id,
        }
    }

    async fn write(&self, pool: &PgPool, tenant: &str) -> Result<Written, sqlx::Error> {
        match self {
            Row::Ticket(row) => corpus_import::ticket(pool, tenant, row).await,
            Row::Article(row) => corpus_import::article(pool, tenant, row).await,
            Row::Asset(row) => corpus_import::asset(pool, tenant, row).await,
        }
    }
}

pub async fn run(command: ImportCommand, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let (kind, args) = match command {
        ImportCommand::Tickets(args) => (Kind::Tickets, args),
        ImportCommand::Kb(args) => (Kind::Kb, args),
        ImportCommand::Assets(args) => (Kind::Assets, args),
    };
    let records = read_records(kind, &args, io)?;

    let pool = db::connect(&config.database).await?;
    db::ensure_schema_current(&pool).await?;
    let tenant = args.tenant.as_str();
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tenant_configs WHERE tenant_id = $1)")
        .bind(tenant)
        .fetch_one(&pool)
        .await?;
    if !exists {
        bail!("tenant {tenant} does not exist; add it first with `enhancer-worker tenant add`");
    }

    let mut report = Report::default();
    let rows = validate_all(kind, records, &mut report);
    let bar = progress_bar(rows.len(), kind);
    for (position, row) in rows {
        match row.write(&pool, tenant).await {
            Ok(Written::New) => report.imported += 1,
            Ok(Written::Updated) => report.updated += 1,
            // A constraint the validation missed rejects this row only; a lost connection stops the import.
            Err(sqlx::Error::Database(err)) => report.reject(position, format!("the database refused it: {err}")),
            Err(err) => {
                bar.abandon();
                return Err(err).with_context(|| {
                    format!(
                        "import stopped at {position} after {} new and {} updated rows",
                        report.imported, report.updated
                    )
                });
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    report.rejected.sort_by_key(|(position, _)| (position.file.clone(), position.line));

    if args.json {
        io.println(serde_json::to_string_pretty(&report.json(kind.name(), tenant))?)?;
    } else {
        io.println(report.text(kind.name(), tenant))?;
    }
    if !report.rejected.is_empty() {
        bail!("{} row(s) rejected (listed above); the other rows were imported", report.rejected.len());
    }
    Ok(())
}

/// Every row validated; the rejected ones go to the report. A later row with the id of an earlier one is
/// rejected, since one of the two would silently overwrite the other.
fn validate_all(kind: Kind, records: Vec<Record>, report: &mut Report) -> Vec<(Position, Row)> {
    let mut first_seen: HashMap<String, Position> = HashMap::new();
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        match record.fields.and_then(|fields| kind.validate(&fields)) {
            Ok(row) => match first_seen.get(row.id()) {
                Some(first) => report.reject(record.position, format!("duplicate id {:?}, first at {first}", row.id())),
                None => {
                    first_seen.insert(row.id().to_owned(), record.position.clone());
                    rows.push((record.position, row));
                }
            },
            Err(reason) => report.reject(record.position, reason),
        }
    }
    rows
}

fn read_records(kind: Kind, args: &ImportArgs, io: &mut CliIo) -> anyhow::Result<Vec<Record>> {
    let format = match args.format {
        Some(format) => format,
        None if args.file.is_dir() => Format::Markdown,
        None => match extension(&args.file).as_deref() {
            Some("csv") => Format::Csv,
            Some("json" | "jsonl" | "ndjson") => Format::Json,
            Some("md" | "markdown") => Format::Markdown,
            _ => Format::Csv, // decided from the content below
        },
    };
    let sniff = args.format.is_none() && !matches!(extension(&args.file).as_deref(), Some("csv"));
    if format == Format::Markdown {
        if kind != Kind::Kb {
            bail!("Markdown files can only be imported as kb articles");
        }
        return markdown::read(&args.file);
    }
    let bytes = io.read_input(&args.file, "import")?;
    let (known, required) = kind.columns();
    let looks_like_json = || bytes.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|b| matches!(b, b'[' | b'{'));
    if format == Format::Json || (sniff && looks_like_json()) {
        let text = std::str::from_utf8(&bytes).context("the JSON file is not valid UTF-8")?;
        json_source::read(text)
    } else {
        csv_source::read(&bytes, known, required)
    }
}

fn extension(path: &Path) -> Option<String> {
    path.extension().map(|e| e.to_string_lossy().to_lowercase())
}

/// A bar on stderr; indicatif draws nothing when stderr is not a terminal (scripts, tests).
fn progress_bar(len: usize, kind: Kind) -> ProgressBar {
    let bar = ProgressBar::new(u64::try_from(len).unwrap_or(u64::MAX));
    let template = format!("importing {{bar:40}} {{pos}}/{{len}} {} ({{elapsed}})", kind.name());
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
