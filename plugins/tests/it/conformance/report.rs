//! [`Outcome`] and [`Findings`]: how a check reports. Checks return a result instead of panicking, so the
//! self-test can assert that a check fails on a misbehaving plugin, and one check can list every case it
//! found wrong rather than stopping at the first.

/// A check's verdict: `Err` holds every finding, one per line.
pub type Outcome = Result<(), String>;

/// The findings of one check, collected case by case.
#[derive(Debug, Default)]
pub struct Findings(Vec<String>);

impl Findings {
    pub fn fail(&mut self, finding: impl Into<String>) {
        self.0.push(finding.into());
    }

    /// Records `finding` unless `ok`.
    pub fn expect(&mut self, ok: bool, finding: impl FnOnce() -> String) {
        if !ok {
            self.0.push(finding());
        }
    }

    /// Records the finding of a sub-check that failed.
    pub fn absorb(&mut self, outcome: Outcome) {
        if let Err(finding) = outcome {
            self.0.push(finding);
        }
    }

    pub fn outcome(self) -> Outcome {
        if self.0.is_empty() { Ok(()) } else { Err(self.0.join("\n")) }
    }
}

/// Turns a check's verdict into a test result (the generated tests call this).
#[track_caller]
pub fn pass(outcome: Outcome) {
    if let Err(findings) = outcome {
        panic!("conformance check failed:\n{findings}");
    }
}
