//! What `tenant import-legacy` tells the operator: one line per row of the export, in file order, and a
//! summary with the counts. Lines name tenants, tools, URLs and field names; never a secret.

use std::fmt::Write as _;

/// What happened (or, in a dry run, would happen) to one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Imported {
        tool: String,
        base_url: String,
    },
    Updated(Vec<&'static str>),
    Unchanged,
    /// Exists with different content and `--update-existing` was not given.
    Skipped(Vec<&'static str>),
    Failed(String),
}

#[derive(Debug, Default)]
pub struct Report {
    /// `(line, tenant id as written, outcome)`.
    rows: Vec<(usize, String, Outcome)>,
}

impl Report {
    pub fn push(&mut self, line: usize, tenant: impl Into<String>, outcome: Outcome) {
        self.rows.push((line, tenant.into(), outcome));
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }

    fn count(&self, which: impl Fn(&Outcome) -> bool) -> usize {
        self.rows.iter().filter(|(_, _, outcome)| which(outcome)).count()
    }

    /// Only the failed rows: when any row fails nothing is written, and the rest would be noise. `rows`
    /// counts every row of the export.
    pub fn failures_text(&mut self, rows: usize) -> String {
        self.rows.sort_by_key(|(line, ..)| *line);
        let mut text = String::new();
        for (line, tenant, outcome) in &self.rows {
            if let Outcome::Failed(reason) = outcome {
                let _ = writeln!(text, "line {line}{}: {reason}", label(tenant));
            }
        }
        let _ = write!(text, "legacy tenants: failed {} of {rows} row(s); nothing was written", self.failed());
        text
    }

    /// Every row and the counts; `dry_run` words them as what would happen.
    pub fn text(&mut self, dry_run: bool) -> String {
        self.rows.sort_by_key(|(line, ..)| *line);
        let would = if dry_run { "would be " } else { "" };
        let mut text = String::new();
        for (line, tenant, outcome) in &self.rows {
            let what = match outcome {
                Outcome::Imported { tool, base_url } => format!("{would}imported ({tool}, {base_url})"),
                Outcome::Updated(fields) => format!("{would}updated: {}", fields.join(", ")),
                Outcome::Unchanged => "unchanged (already imported with the same content)".to_owned(),
                Outcome::Skipped(fields) => format!(
                    "skipped: exists here with a different {}; rerun with --update-existing to overwrite",
                    fields.join(", ")
                ),
                Outcome::Failed(reason) => reason.clone(),
            };
            let _ = writeln!(text, "line {line}{}: {what}", label(tenant));
        }
        let counts = format!(
            "imported {}, updated {}, unchanged {}, skipped {}, failed {}",
            self.count(|o| matches!(o, Outcome::Imported { .. })),
            self.count(|o| matches!(o, Outcome::Updated(_))),
            self.count(|o| matches!(o, Outcome::Unchanged)),
            self.count(|o| matches!(o, Outcome::Skipped(_))),
            self.failed(),
        );
        if dry_run {
            let _ = write!(text, "dry run, nothing written; would have: {counts}");
        } else {
            let _ = write!(text, "legacy tenants: {counts}");
        }
        text
    }
}

fn label(tenant: &str) -> String {
    if tenant.is_empty() { String::new() } else { format!(" ({tenant})") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut report = Report::default();
        report.push(3, "gamma", Outcome::Skipped(vec!["name", "secrets"]));
        report.push(1, "acme", Outcome::Imported { tool: "jira".into(), base_url: "https://a.example/".into() });
        report.push(2, "beta", Outcome::Unchanged);
        report
    }

    #[test]
    fn lists_rows_in_file_order_with_counts() {
        let text = sample().text(false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "line 1 (acme): imported (jira, https://a.example/)");
        assert!(lines[1].starts_with("line 2 (beta): unchanged"), "{text}");
        assert!(lines[2].contains("different name, secrets; rerun with --update-existing"), "{text}");
        assert_eq!(lines[3], "legacy tenants: imported 1, updated 0, unchanged 1, skipped 1, failed 0");
        let dry = sample().text(true);
        assert!(dry.contains("line 1 (acme): would be imported") && dry.contains("dry run, nothing written"), "{dry}");
    }

    #[test]
    fn failures_alone_when_any_row_failed() {
        let mut report = sample();
        report.push(5, "", Outcome::Failed("not a JSON object".into()));
        assert_eq!(report.failed(), 1);
        assert_eq!(
            report.failures_text(4),
            "line 5: not a JSON object\nlegacy tenants: failed 1 of 4 row(s); nothing was written"
        );
    }
}
