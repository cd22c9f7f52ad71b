//! The command line of `enhancer-worker` (docs/DESIGN.md section 8). One file per command family; secrets are read
//! from a file or stdin, never from arguments, so they stay out of shell history and `ps`.

mod args;
mod dlq;
mod history;
mod import;
mod io;
mod migrate;
mod output;
mod since;
mod tenant;

use enhancer_shared::config::Config;

pub use args::{Cli, Command, DlqCommand, TenantCommand};
pub use io::CliIo;

/// Runs one parsed command. Errors are returned with context for `main` to print; nothing is printed to
/// stderr here so that tests can assert on the error itself.
pub async fn execute(cli: Cli, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Run) {
        Command::Run => crate::run::run(config).await,
        Command::Migrate => migrate::run(config, io).await,
        Command::Tenant { command } => tenant::run(command, config, io).await,
        Command::Dlq { command } => dlq::run(command, config, io).await,
        Command::History(args) => history::run(args, config, io).await,
        Command::Import { command } => import::run(command, config, io).await,
    }
}

/// An error and its causes as an operator reads them: one line each, skipping a cause whose text the
/// line above already quotes (many of our error types include their source in their own message).
pub fn render_error(err: &(dyn std::error::Error + 'static)) -> String {
    let mut message = format!("error: {err}");
    let mut previous = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !previous.contains(&text) {
            message.push_str("\n  caused by: ");
            message.push_str(&text);
        }
        previous = text;
        source = cause.source();
    }
    message
}
