//! The texts of the matches a note shows, read after the cut-offs: tickets' subjects, resolutions, statuses
//! and links, articles' titles, links and bodies (each excerpt is chosen here from the body, `headline.rs`),
//! by primary key in one statement. Ranking needs only ids, scores and lexemes, which the index holds;
//! reading the texts of every ranked candidate before the cut was three statements and some twenty rows for
//! a note that shows one or two.

use sqlx::PgPool;

use super::ranking::Scored;
use super::terms::QueryTerms;
use crate::context::{KbArticle, SimilarTicket};

/// The longest excerpt, in characters.
const EXCERPT_CHARS: usize = 240;

/// Tickets (`$2`) and articles (`$3`) of the tenant (`$1`); `body` is a ticket's resolution, an article's
/// body. Either array may be empty. A SQL function on a generic plan
/// (`migrations/20261203000001_note_context_lookups.sql`): as a statement it was planned at every call.
const TEXTS: &str = "SELECT ticket, id, title, body, status, url FROM note_texts($1, $2, $3)";

#[derive(sqlx::FromRow)]
struct TextRow {
    ticket: bool,
    id: String,
    title: String,
    body: Option<String>,
    status: Option<String>,
    url: Option<String>,
}

/// `tickets` and `articles` with their texts, in the order given; one whose row is gone (deleted since the
/// index read it) is left out. No statement when both are empty.
pub(super) async fn read(
    pool: &PgPool,
    tenant: &str,
    query: &QueryTerms,
    tickets: &[Scored],
    articles: &[Scored],
) -> Result<(Vec<SimilarTicket>, Vec<KbArticle>), sqlx::Error> {
    if tickets.is_empty() && articles.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut rows: Vec<TextRow> =
        sqlx::query_as(TEXTS).bind(tenant).bind(ids(tickets)).bind(ids(articles)).fetch_all(pool).await?;
    let mut take = |ticket: bool, id: &str| {
        let at = rows.iter().position(|row| row.ticket == ticket && row.id == id)?;
        Some(rows.swap_remove(at))
    };
    let similar = tickets
        .iter()
        .filter_map(|scored| {
            let row = take(true, &scored.id)?;
            Some(SimilarTicket {
                ticket_id: row.id,
                subject: row.title,
                resolution: row.body.filter(|r| !r.trim().is_empty()),
                status: row.status,
                url: row.url,
                score: scored.score,
            })
        })
        .collect();
    let kb = articles
        .iter()
        .filter_map(|scored| {
            let row = take(false, &scored.id)?;
            let excerpt = excerpt(&super::headline::headline(row.body.as_deref().unwrap_or_default(), query));
            Some(KbArticle { article_id: row.id, title: row.title, url: row.url, excerpt, score: scored.score })
        })
        .collect();
    Ok((similar, kb))
}

fn ids(items: &[Scored]) -> Vec<&str> {
    items.iter().map(|item| item.id.as_str()).collect()
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
