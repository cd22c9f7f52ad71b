//! Latency samples and outcome counts, summarised as exact nearest-rank percentiles (a sorted vector: a
//! benchmark run holds at most a few hundred thousand samples) and printed for people or as JSON.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

/// Samples of one run's measured window.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Latency of every answered or failed request, in nanoseconds.
    latencies: Vec<u64>,
    /// Count per outcome: an HTTP status ("202"), "transport_error", or a broker answer ("ack").
    outcomes: BTreeMap<String, u64>,
}

impl Recorder {
    pub fn record(&mut self, outcome: &str, latency: Duration) {
        self.latencies.push(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
        match self.outcomes.get_mut(outcome) {
            Some(count) => *count += 1,
            None => {
                self.outcomes.insert(outcome.to_owned(), 1);
            }
        }
    }

    pub fn merge(&mut self, other: Recorder) {
        self.latencies.extend(other.latencies);
        for (key, count) in other.outcomes {
            *self.outcomes.entry(key).or_default() += count;
        }
    }

    pub fn count(&self, outcome: &str) -> u64 {
        self.outcomes.get(outcome).copied().unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.outcomes.values().sum()
    }

    pub fn outcomes(&self) -> &BTreeMap<String, u64> {
        &self.outcomes
    }

    /// Percentiles of the latencies recorded so far (sorts a copy: called a few times per run).
    pub fn latency(&self) -> Percentiles {
        Percentiles::of(&mut self.latencies.clone())
    }
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    pub mean: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles; all zero when there is no sample.
    pub fn of(samples: &mut [u64]) -> Percentiles {
        if samples.is_empty() {
            return Percentiles::default();
        }
        samples.sort_unstable();
        let rank = |q: f64| {
            // Nearest rank: the smallest sample with at least q of all samples at or below it.
            let index = (q * samples.len() as f64).ceil() as usize;
            ms(samples[index.clamp(1, samples.len()) - 1])
        };
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        Percentiles {
            p50: rank(0.50),
            p95: rank(0.95),
            p99: rank(0.99),
            p999: rank(0.999),
            max: ms(samples[samples.len() - 1]),
            mean: sum as f64 / samples.len() as f64 / 1e6,
        }
    }

    pub fn to_json(self) -> Value {
        let round = |v: f64| (v * 1000.0).round() / 1000.0;
        json!({
            "p50": round(self.p50), "p95": round(self.p95), "p99": round(self.p99),
            "p999": round(self.p999), "max": round(self.max), "mean": round(self.mean),
        })
    }

    pub fn line(self) -> String {
        format!(
            "p50 {:.3}  p95 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}  mean {:.3} (ms)",
            self.p50, self.p95, self.p99, self.p999, self.max, self.mean
        )
    }
}

fn ms(nanos: u64) -> f64 {
    nanos as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut samples: Vec<u64> = (1..=1000).rev().map(|ms| ms * 1_000_000).collect();
        let p = Percentiles::of(&mut samples);
        assert_eq!((p.p50, p.p95, p.p99, p.p999, p.max), (500.0, 950.0, 990.0, 999.0, 1000.0));
        assert!((p.mean - 500.5).abs() < 1e-9);
        let one = Percentiles::of(&mut [2_000_000]);
        assert_eq!((one.p50, one.p99, one.max), (2.0, 2.0, 2.0));
        assert_eq!(Percentiles::of(&mut []).max, 0.0);
    }

    #[test]
    fn outcomes_are_counted_by_status() {
        let mut a = Recorder::default();
        a.record("202", Duration::from_millis(1));
        let mut b = Recorder::default();
        b.record("429", Duration::from_millis(2));
        b.record("transport_error", Duration::from_millis(3));
        a.merge(b);
        assert_eq!((a.count("202"), a.count("429"), a.count("transport_error"), a.total()), (1, 1, 1, 3));
        assert_eq!(a.latency().max, 3.0);
    }
}
