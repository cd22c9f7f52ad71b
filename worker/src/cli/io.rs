//! Where commands read secrets from and write their output to: the process's stdin and stdout in the
//! binary, buffers in tests.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::Context;

/// Input and output of one command.
pub struct CliIo {
    pub stdin: Box<dyn Read + Send>,
    pub stdout: Box<dyn Write + Send>,
}

impl std::fmt::Debug for CliIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CliIo")
    }
}

impl CliIo {
    pub fn process() -> Self {
        Self { stdin: Box::new(std::io::stdin()), stdout: Box::new(std::io::stdout()) }
    }

    /// Reads a file given on the command line; `-` means stdin.
    pub fn read_input(&mut self, path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        if path == Path::new("-") {
            self.stdin.read_to_end(&mut bytes).with_context(|| format!("cannot read {what} from stdin"))?;
        } else {
            bytes = std::fs::read(path).with_context(|| format!("cannot read {what} file {}", path.display()))?;
        }
        Ok(bytes)
    }

    pub fn println(&mut self, line: impl std::fmt::Display) -> anyhow::Result<()> {
        writeln!(self.stdout, "{line}").context("cannot write to stdout")
    }
}
