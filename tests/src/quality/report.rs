//! The figures of one half of the set, ours next to BM25's, as a Markdown table, and the targets the
//! held-out half must meet.

use crate::evaluate::Outcome;
use crate::metrics::{Ranking, Shown};

#[derive(Debug, Default)]
pub struct Figures {
    pub queries: usize,
    pub ours: Ranking,
    /// What the worker's notes show (cut-offs applied).
    pub note: Shown,
    pub bm25: Ranking,
    /// BM25's naive note: its top five tickets and top three articles.
    pub bm25_note: Shown,
}

pub fn figures<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Figures {
    let mut figures = Figures::default();
    for o in outcomes {
        figures.queries += 1;
        figures.ours.add(&o.relevant, &o.kb, &o.ticket_ids(), &o.article_ids());
        figures.note.add(&o.relevant, &o.kb, &o.shown_tickets, &o.shown_articles);
        figures.bm25.add(&o.relevant, &o.kb, &o.bm25_tickets, &o.bm25_articles);
        figures.bm25_note.add(&o.relevant, &o.kb, &o.bm25_tickets, &o.bm25_articles);
    }
    figures
}

pub fn print(title: &str, f: &Figures) {
    println!("{title}: {} queries, {} of them in families without an article\n", f.queries, f.note.no_article_notes());
    println!(
        "| search | recall@3 | top-1 | KB hit@3 | tickets shown | on-topic tickets | articles shown | on-topic \
         articles | no article shown (families without one) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (name, ranking, shown) in
        [("ours (note after cut-offs)", &f.ours, &f.note), ("BM25 (naive note: top 5 + top 3)", &f.bm25, &f.bm25_note)]
    {
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.2} | {:.3} | {:.2} | {:.3} | {} |",
            ranking.recall(),
            ranking.top1(),
            ranking.kb_hit(),
            shown.mean_tickets(),
            shown.ticket_precision(),
            shown.mean_articles(),
            shown.article_precision(),
            shown.no_article_empty().map_or_else(|| "-".to_owned(), |s| format!("{s:.3}"))
        );
    }
    println!(
        "\nnotes showing at least one ticket of the family: ours {:.3}, BM25 {:.3}; notes showing the family's \
         article (families with one): ours {:.3}, BM25 {:.3}\n",
        f.note.ticket_answered(),
        f.bm25_note.ticket_answered(),
        f.note.kb_answered(),
        f.bm25_note.kb_answered()
    );
}

/// The held-out targets of issue 15 that `f` misses, described.
pub fn missed(f: &Figures) -> Vec<String> {
    let checks = [
        ("recall@3 >= BM25's", f.ours.recall() >= f.bm25.recall()),
        ("recall@3 >= 0.95", f.ours.recall() >= 0.95),
        ("top-1 >= 0.90", f.ours.top1() >= 0.90),
        ("KB hit@3 >= 0.95", f.ours.kb_hit() >= 0.95),
        ("on-topic share of shown tickets >= 0.8", f.note.ticket_precision() >= 0.8),
        ("on-topic share of shown articles >= 0.8", f.note.article_precision() >= 0.8),
    ];
    checks.into_iter().filter(|(_, met)| !met).map(|(name, _)| name.to_owned()).collect()
}
