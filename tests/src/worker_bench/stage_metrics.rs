//! Reads the worker's own Prometheus histograms (`ctx.metrics.render()`) back into numbers: per stage,
//! how many, the mean, and the bucket bounds that hold the median and the 99th percentile. This is where
//! a job's time goes, as the worker itself measured it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

/// One histogram series.
#[derive(Debug, Default, Clone)]
pub struct Series {
    /// Cumulative counts by upper bound, in exposition order (ascending, `+Inf` last).
    pub buckets: Vec<(f64, f64)>,
    pub sum: f64,
    pub count: f64,
}

impl Series {
    pub fn mean(&self) -> f64 {
        if self.count > 0.0 { self.sum / self.count } else { 0.0 }
    }

    /// The upper bound of the bucket holding quantile `q` (so "p50 <= x").
    pub fn quantile_bound(&self, q: f64) -> f64 {
        let rank = q * self.count;
        self.buckets.iter().find(|(_, cumulative)| *cumulative >= rank).map_or(f64::INFINITY, |(le, _)| *le)
    }

    pub fn to_json(&self) -> Value {
        let ms = |s: f64| if s.is_finite() { json!((s * 1e6).round() / 1e3) } else { json!("inf") };
        json!({
            "count": self.count, "mean_ms": ms(self.mean()),
            "p50_le_ms": ms(self.quantile_bound(0.5)), "p99_le_ms": ms(self.quantile_bound(0.99)),
        })
    }
}

/// The value of `label="..."` in a `{...}` label set.
fn label<'a>(labels: &'a str, name: &str) -> Option<&'a str> {
    let start = labels.find(&format!("{name}=\""))? + name.len() + 2;
    let end = labels[start..].find('"')? + start;
    Some(&labels[start..end])
}

/// The series of histogram `family`, keyed by the value of `by` (e.g. `stage`).
pub fn histogram(text: &str, family: &str, by: &str) -> BTreeMap<String, Series> {
    let mut series: BTreeMap<String, Series> = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with(family)) {
        let Some((name_and_labels, value)) = line.rsplit_once(' ') else { continue };
        let Ok(value) = value.parse::<f64>() else { continue };
        let Some((name, labels)) = name_and_labels.split_once('{') else { continue };
        let Some(key) = label(labels, by) else { continue };
        let entry = series.entry(key.to_owned()).or_default();
        match name.strip_prefix(family) {
            Some("_bucket") => {
                let le = match label(labels, "le") {
                    Some("+Inf") => f64::INFINITY,
                    Some(le) => le.parse().unwrap_or(f64::INFINITY),
                    None => continue,
                };
                entry.buckets.push((le, value));
            }
            Some("_sum") => entry.sum = value,
            Some("_count") => entry.count = value,
            _ => {}
        }
    }
    series
}

/// `enhancer_worker_jobs_total` summed by outcome.
pub fn outcomes(text: &str) -> BTreeMap<String, f64> {
    let mut outcomes = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("enhancer_worker_jobs_total{")) {
        let Some((labels, value)) = line.rsplit_once(' ') else { continue };
        if let (Some(outcome), Ok(value)) = (label(labels, "outcome"), value.parse::<f64>()) {
            *outcomes.entry(outcome.to_owned()).or_default() += value;
        }
    }
    outcomes
}

/// A table of the stages in the order a job passes them, then the whole job.
pub fn stage_table(text: &str) -> (String, Value) {
    let stages = histogram(text, "enhancer_worker_stage_duration_seconds", "stage");
    let mut table =
        format!("{:<12} {:>8} {:>10} {:>12} {:>12}\n", "stage", "count", "mean ms", "p50 <= ms", "p99 <= ms");
    let mut values = serde_json::Map::new();
    for stage in ["claim", "gather", "synthesize", "update", "record"] {
        if let Some(s) = stages.get(stage) {
            table.push_str(&row(stage, s));
            values.insert(stage.to_owned(), s.to_json());
        }
    }
    // Delivery to ack: also what the stages leave out (tenant lookup, pool waits, the ack).
    if let Some(s) = histogram(text, "enhancer_worker_job_duration_seconds", "disposal").get("ack") {
        table.push_str(&row("job (to ack)", s));
        values.insert("job".to_owned(), s.to_json());
    }
    (table, Value::Object(values))
}

fn row(name: &str, s: &Series) -> String {
    let bound = |q| {
        let b = s.quantile_bound(q);
        if b.is_finite() { format!("{:.1}", b * 1e3) } else { "inf".into() }
    };
    format!("{name:<12} {:>8} {:>10.2} {:>12} {:>12}\n", s.count, s.mean() * 1e3, bound(0.5), bound(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
enhancer_worker_stage_duration_seconds_bucket{stage=\"claim\",le=\"0.001\"} 10
enhancer_worker_stage_duration_seconds_bucket{stage=\"claim\",le=\"0.005\"} 99
enhancer_worker_stage_duration_seconds_bucket{stage=\"claim\",le=\"+Inf\"} 100
enhancer_worker_stage_duration_seconds_sum{stage=\"claim\"} 0.25
enhancer_worker_stage_duration_seconds_count{stage=\"claim\"} 100
enhancer_worker_jobs_total{outcome=\"completed\",tenant=\"a\",tool=\"generic\"} 7
enhancer_worker_jobs_total{outcome=\"completed\",tenant=\"b\",tool=\"generic\"} 3
";

    #[test]
    fn histograms_and_outcomes_are_read_back() {
        let claim = &histogram(TEXT, "enhancer_worker_stage_duration_seconds", "stage")["claim"];
        assert_eq!((claim.count, claim.mean()), (100.0, 0.0025));
        assert_eq!((claim.quantile_bound(0.5), claim.quantile_bound(0.99)), (0.005, 0.005));
        assert!(claim.quantile_bound(1.0).is_infinite());
        assert_eq!(outcomes(TEXT)["completed"], 10.0);
    }
}
