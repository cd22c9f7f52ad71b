//! Knowledge-base articles from the tenant's `kb_articles`, with a short excerpt around the matched terms.

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::MIN_SCORE;
use super::consensus::Agreement;
use super::index::{Cut, Kind, Searcher};
use super::terms::{self, QueryTerms};
use crate::context::KbArticle;

/// The longest excerpt, in characters.
const EXCERPT_CHARS: usize = 240;

/// What a match counts in an article's title and body (articles have no third field).
const FIELDS: [f64; 3] = [1.0, 0.6, 0.0];

const TEXTS: &str = "SELECT article_id, title, url FROM kb_articles WHERE tenant_id = $1 AND article_id = ANY($2)";

/// The bodies of some articles, for their excerpts ([`super::headline`]).
const BODIES: &str = "SELECT article_id, body FROM kb_articles WHERE tenant_id = $1 AND article_id = ANY($2)";

/// Articles, best first, and the share of the query the knowledge base knows at all.
#[derive(Debug, Default)]
pub struct KbMatches {
    pub articles: Vec<KbArticle>,
    /// The weight of the query terms some article contains, over the weight of all of them (0..1). Coverage
    /// counts the first only, so it ranks the articles among themselves; this says how much of the question
    /// the knowledge base speaks to at all (a disk alert's "disk", "drive", "full" in a knowledge base about
    /// rooms and printers: little). A term no article contains weighs as if one did: its document frequency
    /// is unknown, and the idf of a frequency of zero would make any typo outweigh the question.
    pub known_share: f32,
    /// Each article's lexemes for the consensus, in the order of `articles`.
    pub(crate) agreement: Vec<Agreement>,
}

/// The `k` most relevant knowledge-base articles, best first, weak matches left out.
pub async fn kb_articles(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<KbArticle>, sqlx::Error> {
    Ok(kb_matches(search, tenant, ticket, k, true).await?.articles)
}

/// [`kb_articles`], with the share of the query the knowledge base knows ([`KbMatches::known_share`]);
/// without `with_excerpts` the excerpts are empty (see [`excerpts`]): a note shows a few of the candidates,
/// and an excerpt costs a read of the article's body.
pub async fn kb_matches(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
    with_excerpts: bool,
) -> Result<KbMatches, sqlx::Error> {
    let query = terms::query_terms(search.pool(), ticket).await?;
    matches(search, tenant, &query, k, with_excerpts).await
}

/// [`kb_matches`] for a query already made: the same weighted coverage as similar tickets, over titles and
/// bodies, on the tenant's in-memory index.
pub(super) async fn matches(
    search: &Searcher,
    tenant: &str,
    query: &QueryTerms,
    k: usize,
    with_excerpts: bool,
) -> Result<KbMatches, sqlx::Error> {
    if query.is_empty() || k == 0 {
        return Ok(KbMatches::default());
    }
    let index = search.index(tenant, Kind::Articles);
    let (best, known_share) = index
        .read(search.pool(), |postings| {
            let scored = postings.score(query, &FIELDS, Cut { floor: MIN_SCORE, k, resolved_boost: 1.0 });
            let hits = scored.hits.iter().map(|hit| (hit.slot, hit.coverage as f32));
            (postings.best(hits, k), scored.known_share as f32)
        })
        .await?;
    let ids: Vec<&str> = best.iter().map(|(id, ..)| id.as_str()).collect();
    let rows: Vec<(String, String, Option<String>)> = if ids.is_empty() {
        Vec::new()
    } else {
        sqlx::query_as(TEXTS).bind(tenant).bind(&ids).fetch_all(search.pool()).await?
    };
    let (mut articles, agreement): (Vec<KbArticle>, Vec<Agreement>) = best
        .into_iter()
        .filter_map(|(id, score, agreement)| {
            let (article_id, title, url) = rows.iter().find(|(row_id, _, _)| *row_id == id)?.clone();
            Some((KbArticle { article_id, title, url, excerpt: String::new(), score }, agreement))
        })
        .unzip();
    if with_excerpts {
        excerpts(search.pool(), tenant, query, &mut articles).await?;
    }
    let known_share = if articles.is_empty() { 0.0 } else { known_share };
    Ok(KbMatches { articles, known_share, agreement })
}

/// Fills in the excerpts of `articles` (from [`kb_matches`] without them), as [`kb_articles`] would have:
/// their bodies read by primary key, the passage chosen here.
pub(super) async fn excerpts(
    pool: &PgPool,
    tenant: &str,
    query: &QueryTerms,
    articles: &mut [KbArticle],
) -> Result<(), sqlx::Error> {
    if articles.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = articles.iter().map(|a| a.article_id.as_str()).collect();
    let rows: Vec<(String, String)> = sqlx::query_as(BODIES).bind(tenant).bind(&ids).fetch_all(pool).await?;
    for article in articles.iter_mut() {
        if let Some((_, body)) = rows.iter().find(|(id, _)| *id == article.article_id) {
            article.excerpt = excerpt(&super::headline::headline(body, query));
        }
    }
    Ok(())
}

/// One line, at most [`EXCERPT_CHARS`] characters, cut at a word.
fn excerpt(headline: &str) -> String {
    let text = headline.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_one_line_and_cut_at_a_word() {
        assert_eq!(excerpt("Reset the\n  profile. "), "Reset the profile.");
        let long = "word ".repeat(100);
        let cut = excerpt(&long);
        assert!(cut.ends_with("word…") && cut.chars().count() <= EXCERPT_CHARS + 1, "{cut}");
    }
}
