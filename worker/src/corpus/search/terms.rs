//! The query side of the search: the salient lexemes of a ticket, as PostgreSQL's `english` configuration
//! normalizes them, each with a weight (subject terms count more than description terms).

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

/// A ticket term found only in the description weighs this much against one in the subject.
const DESCRIPTION_WEIGHT: f64 = 0.5;
/// At most this many terms per query: subject terms first, then in order of appearance. Bounds the cost of
/// the per-term document frequencies on long descriptions.
const MAX_TERMS: usize = 40;

/// Query terms, each a quoted tsquery operand (`'vpn'`), with its weight.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct QueryTerms {
    pub operands: Vec<String>,
    pub weights: Vec<f64>,
}

impl QueryTerms {
    pub fn is_empty(&self) -> bool {
        self.operands.is_empty()
    }
}

#[derive(sqlx::FromRow)]
struct LexemeRow {
    lexeme: String,
    in_subject: bool,
}

/// The ticket's lexemes, normalized by PostgreSQL exactly as the stored `search` columns are (stemming,
/// stop words dropped), so a query term and an indexed term meet.
pub(super) async fn query_terms(pool: &PgPool, ticket: &Ticket) -> Result<QueryTerms, sqlx::Error> {
    let rows: Vec<LexemeRow> = sqlx::query_as(
        "SELECT lexeme, 'A' = ANY(weights::text[]) AS in_subject \
         FROM unnest(setweight(to_tsvector('english', $1), 'A') || setweight(to_tsvector('english', $2), 'B')) \
         ORDER BY 2 DESC, positions[1]",
    )
    // Clipped as the stored text is: a huge description would exceed the tsvector cap here too.
    .bind(crate::corpus::limits::title(&ticket.subject))
    .bind(crate::corpus::limits::body(&ticket.description))
    .fetch_all(pool)
    .await?;
    Ok(select(rows.into_iter().map(|row| (row.lexeme, row.in_subject))))
}

fn select(lexemes: impl Iterator<Item = (String, bool)>) -> QueryTerms {
    let mut terms = QueryTerms::default();
    for (lexeme, in_subject) in lexemes.filter(|(lexeme, _)| is_salient(lexeme)).take(MAX_TERMS) {
        let weight = if in_subject { 1.0 } else { DESCRIPTION_WEIGHT };
        for operand in operands(&lexeme) {
            match terms.operands.iter().position(|o| *o == operand) {
                Some(i) => terms.weights[i] = terms.weights[i].max(weight),
                None => {
                    terms.operands.push(operand);
                    terms.weights.push(weight);
                }
            }
        }
    }
    terms
}

/// The tsquery operands for one lexeme. Words of four characters or more match as a prefix, so word forms
/// the stemmer keeps apart still meet: Snowball turns a final y into i ("expiry" -> `expiri`, "streaky" ->
/// `streaki`) but "expired" is `expir`, hence the final i is dropped first. An IPv4 address also matches
/// its /24 neighbours (`10.20.30.`), which is how outage tickets about one network are worded.
fn operands(lexeme: &str) -> Vec<String> {
    if let Some(network) = ipv4_network(lexeme) {
        return vec![format!("'{lexeme}'"), format!("'{network}':*")];
    }
    if lexeme.chars().count() < 4 {
        return vec![format!("'{lexeme}'")];
    }
    let stem = match lexeme.strip_suffix('i') {
        Some(stem) if stem.chars().count() >= 4 => stem,
        _ => lexeme,
    };
    vec![format!("'{stem}':*")]
}

/// `10.20.30.` for `10.20.30.40`: the first three octets and the dot.
fn ipv4_network(lexeme: &str) -> Option<&str> {
    let octets: Vec<&str> = lexeme.split('.').collect();
    let valid = octets.len() == 4 && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok());
    valid.then(|| &lexeme[..lexeme.rfind('.').map_or(0, |i| i + 1)])
}

/// Keeps lexemes that can only be read as one plain operand (letters and digits, with `.`, `-` and `_`
/// inside for addresses and host names: no quote, backslash or operator can reach the tsquery), that are
/// not a single character, and not a short bare number ("10 minutes", "2 users").
fn is_salient(lexeme: &str) -> bool {
    let mut chars = lexeme.chars();
    let starts_well = chars.next().is_some_and(char::is_alphanumeric);
    let plain = lexeme.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let short_number = lexeme.chars().all(|c| c.is_ascii_digit()) && lexeme.len() < 3;
    starts_well && plain && lexeme.chars().count() >= 2 && !short_number
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_quotes_and_noise_never_become_terms() {
        for bad in ["a", "10", "'x", "a|b", "a&b", "!x", "x:*", "a\\b", "(x)", "-x", "a b", ""] {
            assert!(!is_salient(bad), "{bad:?} must be dropped");
        }
        for good in ["vpn", "10.20.30.40", "e-mail", "0x80070005", "443", "größe", "db_01"] {
            assert!(is_salient(good), "{good:?} must be kept");
        }
    }

    #[test]
    fn subject_terms_weigh_more_and_the_count_is_bounded() {
        let lexemes = [("vpn", true), ("x", true), ("drop", false)].map(|(l, s)| (l.to_owned(), s));
        let terms = select(lexemes.into_iter());
        assert_eq!(terms.operands, ["'vpn'", "'drop':*"]);
        assert_eq!(terms.weights, [1.0, DESCRIPTION_WEIGHT]);
        let many = (0..100).map(|i| (format!("term{i}"), false));
        assert_eq!(select(many).operands.len(), MAX_TERMS);
    }

    #[test]
    fn word_forms_and_neighbouring_addresses_meet() {
        assert_eq!(operands("expiri"), ["'expir':*"]);
        assert_eq!(operands("certif"), ["'certif':*"]);
        assert_eq!(operands("ssl"), ["'ssl'"]);
        assert_eq!(operands("10.20.30.40"), ["'10.20.30.40'", "'10.20.30.':*"]);
        assert_eq!(operands("1.2.3.999"), ["'1.2.3.999':*"]);
        let same = [("expiri", true), ("expir", false)].map(|(l, s)| (l.to_owned(), s));
        let terms = select(same.into_iter());
        assert_eq!((terms.operands, terms.weights), (vec!["'expir':*".to_owned()], vec![1.0]));
    }
}
