//! The query side of the search: the salient lexemes of a ticket, as PostgreSQL's `english` configuration
//! normalizes them, each with a weight (subject terms count more than description terms).

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::synonyms;

/// A ticket term found only in the description weighs this much against one in the subject.
const DESCRIPTION_WEIGHT: f64 = 0.5;
/// At most this many terms per query: subject terms first, then in order of appearance. Bounds the cost of
/// the per-term document frequencies on long descriptions.
const MAX_TERMS: usize = 40;

/// The query: its terms, each a group of alternatives with a weight.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct QueryTerms {
    pub terms: Vec<QueryTerm>,
}

/// One term of the query. A document matches it when it contains any of its alternatives; the first is the
/// ticket's own word (factor 1), the others are what else may stand for it (a factor below 1).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct QueryTerm {
    /// 1 for a subject term, [`DESCRIPTION_WEIGHT`] for a description-only one.
    pub weight: f64,
    pub alternatives: Vec<Alternative>,
}

/// A lexeme a document may contain for a [`QueryTerm`].
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Alternative {
    /// As PostgreSQL's `english` configuration normalizes it.
    pub lexeme: String,
    /// Matches every lexeme starting with `lexeme` (word forms the stemmer keeps apart).
    pub prefix: bool,
    /// What a match of this alternative counts, against the word itself (1).
    pub factor: f64,
}

impl Alternative {
    /// The tsquery operand (`'vpn'`, `'expir':*`). Safe to splice: [`is_salient`] let through letters,
    /// digits, `.`, `-` and `_` only.
    pub fn operand(&self) -> String {
        if self.prefix { format!("'{}':*", self.lexeme) } else { format!("'{}'", self.lexeme) }
    }
}

impl QueryTerms {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
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
    let mut query = select(rows.into_iter().map(|row| (row.lexeme, row.in_subject)));
    add_phrases(&mut query, &format!("{}\n{}", ticket.subject, ticket.description));
    Ok(query)
}

/// Adds what the thesaurus's phrases found in `text` say to the terms of their head words ("hard drive":
/// the `drive` term may also be met by `disk`). A head that is not a term (past [`MAX_TERMS`]) adds nothing.
fn add_phrases(query: &mut QueryTerms, text: &str) {
    for (head, lexeme, factor) in synonyms::phrase_alternatives(text) {
        let Some(head) = forms(head).into_iter().next() else { continue };
        let Some(term) = query.terms.iter_mut().find(|t| t.alternatives[0] == head) else { continue };
        match term.alternatives.iter_mut().find(|a| a.lexeme == lexeme) {
            Some(known) => known.factor = known.factor.max(factor),
            None => term.alternatives.push(Alternative { lexeme: lexeme.to_owned(), prefix: false, factor }),
        }
    }
}

fn select(lexemes: impl Iterator<Item = (String, bool)>) -> QueryTerms {
    let mut query = QueryTerms::default();
    for (lexeme, in_subject) in lexemes.filter(|(lexeme, _)| is_salient(lexeme)).take(MAX_TERMS) {
        let weight = if in_subject { 1.0 } else { DESCRIPTION_WEIGHT };
        for alternative in forms(&lexeme) {
            match query.terms.iter_mut().find(|t| t.alternatives[0] == alternative) {
                Some(term) => term.weight = term.weight.max(weight),
                None => {
                    let alternatives = with_synonyms(&lexeme, alternative);
                    query.terms.push(QueryTerm { weight, alternatives });
                }
            }
        }
    }
    query
}

/// The query terms' first alternatives for one lexeme. Words of four characters or more match as a prefix, so
/// word forms the stemmer keeps apart still meet: Snowball turns a final y into i ("expiry" -> `expiri`,
/// "streaky" -> `streaki`) but "expired" is `expir`, hence the final i is dropped first. An IPv4 address
/// also matches its /24 neighbours (`10.20.30.`), which is how outage tickets about one network are worded.
fn forms(lexeme: &str) -> Vec<Alternative> {
    let form = |lexeme: &str, prefix| Alternative { lexeme: lexeme.to_owned(), prefix, factor: 1.0 };
    if let Some(network) = ipv4_network(lexeme) {
        return vec![form(lexeme, false), form(network, true)];
    }
    if lexeme.chars().count() < 4 {
        return vec![form(lexeme, false)];
    }
    let stem = match lexeme.strip_suffix('i') {
        Some(stem) if stem.chars().count() >= 4 => stem,
        _ => lexeme,
    };
    vec![form(stem, true)]
}

/// `word` (the ticket's own form of `lexeme`) followed by what the thesaurus ([`synonyms`]) says may stand
/// for it. A synonym is matched exactly (the thesaurus names the forms it means), and left out when the
/// word's own prefix already matches it at full weight (`lock:*` covers `lockout`).
fn with_synonyms(lexeme: &str, word: Alternative) -> Vec<Alternative> {
    let covered = |other: &str| word.prefix && other.starts_with(word.lexeme.as_str());
    let others: Vec<Alternative> = synonyms::alternatives(lexeme)
        .filter(|(other, _)| !covered(other))
        .map(|(other, factor)| Alternative { lexeme: other.to_owned(), prefix: false, factor })
        .collect();
    std::iter::once(word).chain(others).collect()
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

    /// Each term's own word, as a tsquery operand.
    fn words(query: &QueryTerms) -> Vec<String> {
        query.terms.iter().map(|t| t.alternatives[0].operand()).collect()
    }

    #[test]
    fn subject_terms_weigh_more_and_the_count_is_bounded() {
        let lexemes = [("vpn", true), ("x", true), ("queri", false)].map(|(l, s)| (l.to_owned(), s));
        let query = select(lexemes.into_iter());
        assert_eq!(words(&query), ["'vpn'", "'quer':*"]);
        assert_eq!(query.terms.iter().map(|t| t.weight).collect::<Vec<_>>(), [1.0, DESCRIPTION_WEIGHT]);
        let many = (0..100).map(|i| (format!("term{i}"), false));
        assert_eq!(select(many).terms.len(), MAX_TERMS);
    }

    #[test]
    fn word_forms_and_neighbouring_addresses_meet() {
        let operands = |lexeme: &str| forms(lexeme).iter().map(Alternative::operand).collect::<Vec<_>>();
        assert_eq!(operands("expiri"), ["'expir':*"]);
        assert_eq!(operands("certif"), ["'certif':*"]);
        assert_eq!(operands("ssl"), ["'ssl'"]);
        assert_eq!(operands("10.20.30.40"), ["'10.20.30.40'", "'10.20.30.':*"]);
        assert_eq!(operands("1.2.3.999"), ["'1.2.3.999':*"]);
        let same = [("expiri", true), ("expir", false)].map(|(l, s)| (l.to_owned(), s));
        let query = select(same.into_iter());
        assert_eq!((words(&query), query.terms[0].weight), (vec!["'expir':*".to_owned()], 1.0));
    }

    #[test]
    fn a_term_carries_its_synonyms_after_the_word_itself() {
        let query = select([("notebook".to_owned(), true)].into_iter());
        let alternatives = &query.terms[0].alternatives;
        assert_eq!((alternatives[0].lexeme.as_str(), alternatives[0].factor), ("notebook", 1.0));
        assert!(alternatives[1..].iter().any(|a| a.lexeme == "laptop" && a.factor < 1.0 && !a.prefix));
        // `lock:*` already matches `lockout`: no second, weaker alternative for it.
        let query = select([("lock".to_owned(), true)].into_iter());
        assert!(query.terms[0].alternatives.iter().all(|a| a.lexeme != "lockout"), "{query:?}");
    }

    #[test]
    fn a_synonym_that_is_also_a_word_of_the_ticket_is_its_own_term() {
        // "drop" and "disconnect" are synonyms of each other and both words of the ticket.
        let query = select([("drop", true), ("disconnect", false)].map(|(l, s)| (l.to_owned(), s)).into_iter());
        assert_eq!(query.terms.len(), 2);
        assert_eq!(words(&query), ["'drop':*", "'disconnect':*"]);
    }

    #[test]
    fn phrases_give_their_head_word_its_meaning() {
        let mut query =
            select([("hard", false), ("drive", false), ("light", false)].map(|(l, s)| (l.to_owned(), s)).into_iter());
        add_phrases(&mut query, "the hard drive light stays on");
        let drive = query.terms.iter().find(|t| t.alternatives[0].lexeme == "drive").expect("drive");
        assert!(drive.alternatives.iter().any(|a| a.lexeme == "disk" && a.factor < 1.0), "{drive:?}");
        let mut query = select([("drive", false)].map(|(l, s)| (l.to_owned(), s)).into_iter());
        add_phrases(&mut query, "my S drive is full");
        assert_eq!(query.terms[0].alternatives.len(), 1, "a drive alone is not a disk: {query:?}");
    }
}
