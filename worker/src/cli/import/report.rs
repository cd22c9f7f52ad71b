//! What an import did: counts for people and scripts, and every rejected row with its position.

use serde_json::json;

use super::fields::Position;

#[derive(Debug, Default)]
pub struct Report {
    pub imported: usize,
    pub updated: usize,
    pub rejected: Vec<(Position, String)>,
}

impl Report {
    pub fn reject(&mut self, position: Position, reason: impl Into<String>) {
        self.rejected.push((position, reason.into()));
    }

    /// `imported N, updated M, rejected K`, then one line per rejected row, in input order.
    pub fn text(&self, kind: &str, tenant: &str) -> String {
        let mut text = format!(
            "{kind} for tenant {tenant}: imported {}, updated {}, rejected {}",
            self.imported,
            self.updated,
            self.rejected.len()
        );
        for (position, reason) in &self.rejected {
            text.push_str(&format!("\n  {position}: {reason}"));
        }
        text
    }

    pub fn json(&self, kind: &str, tenant: &str) -> serde_json::Value {
        let rejected: Vec<_> = self
            .rejected
            .iter()
            .map(|(position, reason)| json!({"line": position.line, "file": position.file, "error": reason}))
            .collect();
        json!({
            "kind": kind,
            "tenant_id": tenant,
            "imported": self.imported,
            "updated": self.updated,
            "rejected": rejected,
        })
    }
}
