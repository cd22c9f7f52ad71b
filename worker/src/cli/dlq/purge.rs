//! `dlq purge [--yes]`: delete every dead letter, after asking unless `--yes`.

use std::io::BufRead;

use anyhow::Context;
use enhancer_shared::config::Config;

use super::broker::DeadQueue;
use crate::cli::CliIo;

pub async fn purge(yes: bool, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let queue = DeadQueue::connect(config).await?;
    let result = confirm_and_purge(&queue, yes, io).await;
    queue.close().await;
    result
}

async fn confirm_and_purge(queue: &DeadQueue, yes: bool, io: &mut CliIo) -> anyhow::Result<()> {
    let depth = queue.depth().await?;
    if depth == 0 {
        return io.println("the dead-letter queue is empty; nothing to delete");
    }
    if !yes {
        write!(io.stdout, "Delete all {depth} dead letters? [y/N] ").context("cannot write to stdout")?;
        io.stdout.flush().context("cannot write to stdout")?;
        if !read_yes(io)? {
            return io.println("nothing deleted");
        }
    }
    // Messages another operator's command holds right now are not ready and are not purged.
    let deleted = queue.purge().await?;
    io.println(format!("deleted {deleted} dead letter(s)"))
}

/// One line from stdin: `y` or `yes` (any case) confirms; anything else, or no input at all, declines.
fn read_yes(io: &mut CliIo) -> anyhow::Result<bool> {
    let mut line = String::new();
    std::io::BufReader::new(&mut io.stdin).read_line(&mut line).context("cannot read the answer from stdin")?;
    let answer = line.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}
