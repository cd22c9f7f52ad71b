//! Which query terms are frequent in the whole `tickets` table, from PostgreSQL's own statistics: for a
//! `tsvector` column `ANALYZE` keeps the most common lexemes and the share of rows holding each
//! (`pg_stats.most_common_elems`, `most_common_elem_freqs`; about the 1,000 most common with the default
//! statistics target). The similar-ticket query uses it to avoid looking a frequent term up in the GIN
//! index, whose bitmap scan collects every match and whose capped hits each cost a heap fetch.
//!
//! The statistics are read at most once a minute per database (autovacuum refreshes them far less often)
//! and kept in this process. Without statistics (a table never analyzed) no term is frequent, which is the
//! exact path, and they are looked for again at the next search.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::PgPool;

/// How long statistics read from `pg_stats` are used before they are read again.
const REFRESH: Duration = Duration::from_secs(60);

/// The table's most common lexemes, sorted, with the estimated number of rows holding each.
#[derive(Debug, Default)]
struct Stats {
    lexemes: Vec<(String, f64)>,
}

impl Stats {
    /// Estimated rows matching `operand` (`'lexeme'` or `'prefix':*`): for a prefix, the largest estimate of
    /// a common lexeme it covers, a lower bound of the prefix's own. 0 when no common lexeme matches.
    fn rows(&self, operand: &str) -> f64 {
        let (text, prefix) = match operand.strip_suffix(":*") {
            Some(text) => (text, true),
            None => (operand, false),
        };
        let lexeme = text.trim_matches('\'');
        let start = self.lexemes.partition_point(|(l, _)| l.as_str() < lexeme);
        self.lexemes[start..]
            .iter()
            .take_while(|(l, _)| if prefix { l.starts_with(lexeme) } else { l == lexeme })
            .map(|(_, rows)| *rows)
            .fold(0.0, f64::max)
    }
}

type Cache = HashMap<String, (Instant, Arc<Stats>)>;

/// Per database (a process can hold pools to several, as the tests do).
static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

/// For each operand, whether the table holds an estimated `min_rows` rows or more matching it.
pub(super) async fn frequent(pool: &PgPool, operands: &[String], min_rows: f64) -> Result<Vec<bool>, sqlx::Error> {
    let stats = stats(pool).await?;
    Ok(operands.iter().map(|operand| stats.rows(operand) >= min_rows).collect())
}

async fn stats(pool: &PgPool) -> Result<Arc<Stats>, sqlx::Error> {
    let options = pool.connect_options();
    let key = format!("{}:{}/{}", options.get_host(), options.get_port(), options.get_database().unwrap_or_default());
    let cached = CACHE.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
    if let Some((_, stats)) = cached.filter(|(read_at, _)| read_at.elapsed() < REFRESH) {
        return Ok(stats);
    }
    // `most_common_elem_freqs` has three more entries than there are lexemes (minimum, maximum, share of
    // empty values); `unnest` pairs the lexemes with the first ones. Frequencies are shares of the rows.
    let rows: Vec<(String, f64)> = sqlx::query_as(
        "SELECT e.lexeme, e.freq::float8 * greatest(c.reltuples, 0)::float8 \
         FROM pg_stats s \
         JOIN pg_class c ON c.oid = 'tickets'::regclass \
         CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, freq) \
         WHERE s.schemaname = current_schema() AND s.tablename = 'tickets' AND s.attname = 'search' \
               AND e.lexeme IS NOT NULL",
    )
    .fetch_all(pool)
    .await?;
    let mut lexemes = rows;
    lexemes.sort_by(|a, b| a.0.cmp(&b.0));
    let stats = Arc::new(Stats { lexemes });
    // No statistics yet (a table never analyzed): read again next time, so the first `ANALYZE` counts at
    // once; the query finds no row then and costs little.
    if !stats.lexemes.is_empty() {
        CACHE.lock().unwrap_or_else(PoisonError::into_inner).insert(key, (Instant::now(), Arc::clone(&stats)));
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_counts_its_most_common_lexeme_and_an_exact_term_only_itself() {
        let stats = Stats { lexemes: vec![("print".into(), 900.0), ("printer".into(), 1500.0), ("vpn".into(), 300.0)] };
        assert_eq!(stats.rows("'print':*"), 1500.0);
        assert_eq!(stats.rows("'print'"), 900.0);
        assert_eq!(stats.rows("'vpn'"), 300.0);
        assert_eq!(stats.rows("'vp'"), 0.0);
        assert_eq!(stats.rows("'zzz':*"), 0.0);
    }
}
