//! `enhancer-worker dlq list|show|replay|purge`: the operator's view of `{prefix}.dead` (docs/DESIGN.md sections 5
//! and 8). Listing and showing leave the queue exactly as it was; a replay removes a dead letter only after
//! its republish to the jobs queue was confirmed; purge asks first.

mod broker;
mod browse;
mod dead_letter;
mod header_json;
mod list;
mod purge;
mod replay;

use enhancer_shared::config::Config;

use super::CliIo;
use super::args::DlqCommand;

pub async fn run(command: DlqCommand, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    match command {
        DlqCommand::List(args) => list::list(args, config, io).await,
        DlqCommand::Show { id, json } => list::show(id, json, config, io).await,
        DlqCommand::Replay(args) => replay::replay(args, config, io).await,
        DlqCommand::Purge { yes } => purge::purge(yes, config, io).await,
    }
}
