//! `--calibrate`: sweeps the relevance cut-offs (`enhancer_worker::corpus::search::relevance`) over the
//! ranked results of the calibration queries only (the first set, both halves: [`Group::Tune`] and
//! [`Group::Seen`]), and prints what the notes would show for each setting: how many items, their on-topic
//! share, how often the family's answer is still shown, and (articles) how often a family without an
//! article gets none. The worker's values are chosen from these tables; the held-out families (`fresh/`)
//! are never looked at here.

use enhancer_worker::corpus::search::relevance::{
    self, ARTICLES, Cutoff, SEMANTIC_ARTICLES, SEMANTIC_TICKETS, TICKETS,
};

use crate::dataset::Group;
use crate::evaluate::Outcome;
use crate::metrics::Shown;

const SHARES: [f32; 7] = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const FLOORS: [f32; 11] = [0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3];
/// Cosines (plus a fifth of the lexical share) of the semantic ranking.
const SEMANTIC_FLOORS: [f32; 11] = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];

/// The worker's cut-offs for an outcome's scores, and the floors swept for them.
fn cutoffs(semantic: bool) -> (Cutoff, Cutoff, &'static [f32]) {
    if semantic { (SEMANTIC_TICKETS, SEMANTIC_ARTICLES, &SEMANTIC_FLOORS) } else { (TICKETS, ARTICLES, &FLOORS) }
}

fn ids(ranked: &[(String, f32)], cutoff: &Cutoff) -> Vec<String> {
    relevance::cut(ranked.to_vec(), cutoff, |(_, score)| *score).into_iter().map(|(id, _)| id).collect()
}

/// The shown figures of the tuning half under `tickets` and `articles`.
fn shown(outcomes: &[&Outcome], tickets: &Cutoff, articles: &Cutoff) -> Shown {
    let mut shown = Shown::default();
    for o in outcomes {
        shown.add(&o.relevant, &o.kb, &ids(&o.tickets, tickets), &ids(&o.articles, articles));
    }
    shown
}

fn mark(cutoff: &Cutoff, current: &Cutoff) -> &'static str {
    if cutoff == current { " (now)" } else { "" }
}

pub fn print(outcomes: &[Outcome]) {
    let tune: Vec<&Outcome> = outcomes.iter().filter(|o| o.group != Group::Heldout).collect();
    let (tickets_now, articles_now, floors) = cutoffs(tune.first().is_some_and(|o| o.semantic));
    println!("calibration on the first set only, both halves ({} queries)\n", tune.len());
    println!("similar tickets (at most {}):\n", tickets_now.max);
    println!("| share of best | floor | shown per note | on-topic share | notes showing a family ticket |");
    println!("|---|---|---|---|---|");
    for share_of_best in SHARES {
        for &floor in floors {
            let cutoff = Cutoff { share_of_best, floor, max: tickets_now.max };
            let s = shown(&tune, &cutoff, &articles_now);
            println!(
                "| {share_of_best:.2} | {floor:.2}{} | {:.2} | {:.3} | {:.3} |",
                mark(&cutoff, &tickets_now),
                s.mean_tickets(),
                s.ticket_precision(),
                s.ticket_answered()
            );
        }
    }
    println!("\nknowledge-base articles (at most {}):\n", articles_now.max);
    println!(
        "| share of best | floor | shown per note | on-topic share | notes showing the family's article | \
         no article shown (families without one) |"
    );
    println!("|---|---|---|---|---|---|");
    for share_of_best in SHARES {
        for &floor in floors {
            let cutoff = Cutoff { share_of_best, floor, max: articles_now.max };
            let s = shown(&tune, &tickets_now, &cutoff);
            println!(
                "| {share_of_best:.2} | {floor:.2}{} | {:.2} | {:.3} | {:.3} | {} |",
                mark(&cutoff, &articles_now),
                s.mean_articles(),
                s.article_precision(),
                s.kb_answered(),
                s.no_article_empty().map_or_else(|| "-".to_owned(), |e| format!("{e:.3}"))
            );
        }
    }
    println!();
}

/// Whether the quality binary measures what the worker shows: our ranking cut with the worker's own
/// cut-offs must give exactly the note context `context_for` built.
pub fn consistent(o: &Outcome) -> bool {
    let (tickets, articles, _) = cutoffs(o.semantic);
    ids(&o.tickets, &tickets) == o.shown_tickets && ids(&o.articles, &articles) == o.shown_articles
}
