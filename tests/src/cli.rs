//! Runs `enhancer-worker` commands in process, with a given stdin, capturing stdout.

use std::io::Write;
use std::sync::{Arc, Mutex};

use clap::Parser;
use enhancer_shared::config::Config;
use enhancer_worker::cli::{self, Cli, CliIo};

/// The outcome of one command.
#[derive(Debug)]
pub struct CliRun {
    pub stdout: String,
    /// The error message chain as `main` would print it, or `None` on success.
    pub error: Option<String>,
}

impl CliRun {
    pub fn ok(&self) -> &str {
        if let Some(error) = &self.error {
            panic!("command failed: {error}\nstdout: {}", self.stdout);
        }
        &self.stdout
    }

    pub fn err(&self) -> &str {
        self.error.as_deref().unwrap_or_else(|| panic!("command succeeded but should fail; stdout: {}", self.stdout))
    }
}

#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("buffer lock").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `args` without the program name, e.g. `["tenant", "list", "--json"]`.
pub async fn run_cli(config: &Config, args: &[&str], stdin: &str) -> CliRun {
    let parsed = Cli::try_parse_from(std::iter::once("enhancer-worker").chain(args.iter().copied()));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(err) => return CliRun { stdout: String::new(), error: Some(err.to_string()) },
    };
    let stdout = SharedBuffer::default();
    let mut io =
        CliIo { stdin: Box::new(std::io::Cursor::new(stdin.as_bytes().to_vec())), stdout: Box::new(stdout.clone()) };
    let result = cli::execute(cli, config, &mut io).await;
    let stdout = String::from_utf8(stdout.0.lock().expect("buffer lock").clone()).expect("utf-8 output");
    CliRun { stdout, error: result.err().map(|e| cli::render_error(&*e)) }
}
