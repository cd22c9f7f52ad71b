//! Knowledge-base articles from the tenant's `kb_articles`, with a short excerpt around the matched terms.

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::{CANDIDATES, MIN_SCORE, limit, terms};
use crate::context::KbArticle;

/// The longest excerpt, in characters.
const EXCERPT_CHARS: usize = 240;

/// `ts_headline` options: a sentence or two around the matches, no highlighting (the note is Markdown).
macro_rules! headline_options {
    () => {
        "MaxWords=40, MinWords=15, ShortWord=2, StartSel=\"\", StopSel=\"\""
    };
}

/// The same weighted coverage as similar tickets (see the module above), over titles and bodies. The
/// excerpt is `ts_headline` without highlighting (the note is Markdown, not HTML), computed only when `$7`.
/// `known` is [`KbMatches::known_share`]: a term no article contains weighs as if one did (its document
/// frequency is unknown, and the idf of a frequency of zero would make any typo outweigh the question).
const KB_ARTICLES: &str = concat!(
    "
WITH terms AS (
    SELECT operand::tsquery AS query, weight FROM unnest($2::text[], $3::float8[]) AS t(operand, weight)
),
corpus AS (SELECT count(*)::float8 AS n FROM kb_articles WHERE tenant_id = $1),
every_term AS (
    SELECT terms.query, df.n AS df_n,
           terms.weight * ln(1 + (corpus.n - greatest(df.n, 1) + 0.5) / (greatest(df.n, 1) + 0.5)) AS weight
    FROM terms CROSS JOIN corpus
    CROSS JOIN LATERAL (
        SELECT count(*)::float8 AS n FROM kb_articles a WHERE a.tenant_id = $1 AND a.search @@ terms.query
    ) AS df
),
weighted AS (SELECT query, weight FROM every_term WHERE df_n > 0),
mass AS (SELECT sum(weight) AS total FROM weighted),
known AS (SELECT sum(weight) FILTER (WHERE df_n > 0) / nullif(sum(weight), 0) AS share FROM every_term),
any_term AS (SELECT string_agg(operand, ' | ')::tsquery AS query FROM unnest($2::text[]) AS operand),
candidates AS (
    SELECT a.article_id, a.title, a.url, a.body, a.search,
           ts_filter(a.search, '{a}') AS title_terms, ts_filter(a.search, '{b}') AS body_terms
    FROM kb_articles a CROSS JOIN any_term
    WHERE a.tenant_id = $1 AND a.search @@ any_term.query
    ORDER BY ts_rank(a.search, any_term.query) DESC
    LIMIT $6
),
scored AS (
    SELECT c.article_id, c.title, c.url, c.body,
           (SELECT sum(w.weight * CASE WHEN c.title_terms @@ w.query THEN 1.0
                                       WHEN c.body_terms @@ w.query THEN 0.6
                                       ELSE 0 END)
            FROM weighted w) / nullif((SELECT total FROM mass), 0) AS coverage
    FROM candidates c
),
best AS (
    SELECT * FROM scored WHERE coverage >= $4 ORDER BY coverage DESC, article_id LIMIT $5
)
SELECT article_id, title, url, coverage::float4 AS score, (SELECT share FROM known)::float4 AS known_share,
       CASE WHEN $7 THEN ts_headline('english', body, (SELECT query FROM any_term), '",
    headline_options!(),
    "')
            ELSE '' END AS excerpt
FROM best
ORDER BY score DESC, article_id"
);

/// The excerpts of some articles for the query `$3` (operands), as [`KB_ARTICLES`] computes them.
const EXCERPTS: &str = concat!(
    "SELECT article_id, ts_headline('english', body, (SELECT string_agg(operand, ' | ')::tsquery FROM unnest($3::text[]) AS operand), '",
    headline_options!(),
    "') AS excerpt FROM kb_articles WHERE tenant_id = $1 AND article_id = ANY($2)"
);

#[derive(sqlx::FromRow)]
struct ArticleRow {
    article_id: String,
    title: String,
    url: Option<String>,
    score: f32,
    known_share: Option<f32>,
    excerpt: String,
}

/// Articles, best first, and the share of the query's weight the knowledge base knows at all.
#[derive(Debug, Default)]
pub struct KbMatches {
    pub articles: Vec<KbArticle>,
    /// The weight of the query terms some article contains, over the weight of all of them (0..1). Coverage
    /// counts the first only, so it ranks the articles among themselves; this says how much of the question
    /// the knowledge base speaks to at all (a disk alert's "disk", "drive", "full" in a knowledge base about
    /// rooms and printers: little).
    pub known_share: f32,
    /// The query's tsquery operands, for [`excerpts`].
    pub(crate) operands: Vec<String>,
}

/// The `k` most relevant knowledge-base articles, best first, weak matches left out.
pub async fn kb_articles(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<KbArticle>, sqlx::Error> {
    Ok(kb_matches(pool, tenant, ticket, k, true).await?.articles)
}

/// [`kb_articles`], with the share of the query the knowledge base knows ([`KbMatches::known_share`]);
/// without `with_excerpts` the excerpts are empty (see [`excerpts`]): a note shows a few of the candidates,
/// and a `ts_headline` is the costliest part of the query per row.
pub async fn kb_matches(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
    with_excerpts: bool,
) -> Result<KbMatches, sqlx::Error> {
    let terms = terms::query_terms(pool, ticket).await?;
    if terms.is_empty() || k == 0 {
        return Ok(KbMatches::default());
    }
    let rows: Vec<ArticleRow> = sqlx::query_as(KB_ARTICLES)
        .bind(tenant)
        .bind(&terms.operands)
        .bind(&terms.weights)
        .bind(MIN_SCORE)
        .bind(limit(k))
        .bind(CANDIDATES)
        .bind(with_excerpts)
        .fetch_all(pool)
        .await?;
    let known_share = rows.first().and_then(|row| row.known_share).unwrap_or(0.0);
    let articles = rows
        .into_iter()
        .map(|row| KbArticle {
            article_id: row.article_id,
            title: row.title,
            url: row.url,
            excerpt: excerpt(&row.excerpt),
            score: row.score,
        })
        .collect();
    Ok(KbMatches { articles, known_share, operands: terms.operands })
}

/// Fills in the excerpts of `articles` (from [`kb_matches`] without them), as [`kb_articles`] would have.
pub(crate) async fn excerpts(
    pool: &PgPool,
    tenant: &str,
    operands: &[String],
    articles: &mut [KbArticle],
) -> Result<(), sqlx::Error> {
    if articles.is_empty() || operands.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = articles.iter().map(|a| a.article_id.as_str()).collect();
    let rows: Vec<(String, String)> =
        sqlx::query_as(EXCERPTS).bind(tenant).bind(&ids).bind(operands).fetch_all(pool).await?;
    for article in articles.iter_mut() {
        if let Some((_, headline)) = rows.iter().find(|(id, _)| *id == article.article_id) {
            article.excerpt = excerpt(headline);
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
