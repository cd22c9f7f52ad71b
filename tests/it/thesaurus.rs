//! The search thesaurus (`worker/src/corpus/search/synonyms.rs`) names lexemes as PostgreSQL's `english`
//! configuration writes them into the `search` vectors; an entry in any other form ("locked" for `lock`)
//! would never meet a document. PostgreSQL is asked: each entry must be its own stem, one lexeme, not a
//! stop word. Snowball is not idempotent on every stem (it strips `databas` again to `databa`): those
//! entries are checked through a word they come from, listed in [`SOURCE`].

use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::thesaurus_lexemes;

/// Entries that are not their own stem, each with a word that stems to it.
const SOURCE: [(&str, &str); 10] = [
    ("attende", "attendees"),
    ("compromis", "compromised"),
    ("creas", "creased"),
    ("databas", "database"),
    ("forticli", "forticlient"),
    ("navis", "navision"),
    ("nois", "noise"),
    ("purchas", "purchasing"),
    ("synchronis", "synchronise"),
    ("unrespons", "unresponsive"),
];

#[tokio::test]
async fn every_thesaurus_entry_is_a_postgres_english_stem() {
    let db = TestDb::empty().await;
    let mut wrong = Vec::new();
    for lexeme in thesaurus_lexemes() {
        let word = SOURCE.iter().find(|(stem, _)| *stem == lexeme).map_or(lexeme, |(_, word)| *word);
        let stems: Vec<String> = sqlx::query_scalar("SELECT unnest(tsvector_to_array(to_tsvector('english', $1)))")
            .bind(word)
            .fetch_all(&db.pool)
            .await
            .expect("stem");
        // A hyphenated word is indexed whole and in parts ("wi-fi", "wi", "fi"): the whole must be there.
        if !stems.iter().any(|s| s == lexeme) || (!lexeme.contains('-') && stems.len() != 1) {
            wrong.push(format!("{lexeme} -> {stems:?}"));
        }
    }
    assert!(wrong.is_empty(), "not PostgreSQL english stems: {wrong:?}");
}
