//! `enhancer-worker migrate`: create the database if it is missing and apply pending migrations.

use anyhow::Context;
use enhancer_shared::config::Config;
use enhancer_shared::db;

use super::CliIo;

pub async fn run(config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    if db::create_database_if_missing(&config.database).await.context("cannot prepare the database")? {
        io.println("created the database")?;
    }
    let pool = db::connect(&config.database).await?;
    let report = db::migrate(&pool).await?;
    if report.applied_now.is_empty() {
        io.println(format!("schema is up to date ({} migrations applied)", report.already_applied))?;
    } else {
        for name in &report.applied_now {
            io.println(format!("applied {name}"))?;
        }
        io.println(format!(
            "schema is up to date ({} migrations applied)",
            report.already_applied + report.applied_now.len()
        ))?;
    }
    pool.close().await;
    Ok(())
}
