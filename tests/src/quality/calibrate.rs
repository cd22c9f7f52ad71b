//! `--calibrate`: sweeps the relevance cut-offs (`enhancer_worker::corpus::search::relevance`) over the
//! ranked results of the calibration queries only (the first set, both halves: [`Group::Tune`] and
//! [`Group::Seen`]), and prints what the notes would show for each setting: how many items, their on-topic
//! share, how often the family's answer is still shown, and (articles) how often a family without an
//! article gets none. The worker's values are chosen from these tables; the held-out families (`fresh/`)
//! are never looked at here. Ranked by meaning, it ends with the floors the rule gives at the worker's share
//! of the best, as the settings to give a worker that uses that model (`embeddings.ticket_floor`,
//! `embeddings.article_floor`).

use enhancer_worker::corpus::search::relevance::{self, Cutoff};

use crate::dataset::Group;
use crate::evaluate::Outcome;
use crate::metrics::Shown;

const SHARES: [f32; 7] = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
const FLOORS: [f32; 11] = [0.1, 0.12, 0.14, 0.16, 0.18, 0.2, 0.22, 0.24, 0.26, 0.28, 0.3];
/// Cosines (plus a fifth of the lexical share) of the semantic ranking: up to 0.95, since models differ in
/// scale (nomic-embed-text-v1.5 gives a past ticket of another problem 0.48 on average).
const SEMANTIC_FLOORS: [f32; 14] = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
/// The rule's bar: the target for the on-topic share of what a note shows.
const ON_TOPIC: f64 = 0.8;

fn floors(semantic: bool) -> &'static [f32] {
    if semantic { &SEMANTIC_FLOORS } else { &FLOORS }
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
    let Some(first) = tune.first() else { return };
    let ((tickets_now, articles_now), floors) = (first.cutoffs, floors(first.semantic));
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
    if first.semantic {
        // The share of the best is the worker's; a floor is what `embeddings.*_floor` sets.
        let ticket = by_the_rule(floors, |floor| {
            let s = shown(&tune, &Cutoff { floor, ..tickets_now }, &articles_now);
            (s.ticket_precision(), s.ticket_answered())
        });
        let article = by_the_rule(floors, |floor| {
            let s = shown(&tune, &tickets_now, &Cutoff { floor, ..articles_now });
            (s.article_precision(), s.kb_answered())
        });
        let say = |floor: Option<f32>| floor.map_or_else(|| format!("none reaches {ON_TOPIC}"), |f| format!("{f:.2}"));
        println!(
            "floors by the rule at {:.2} of the best (the most notes answered among those at least {ON_TOPIC} on \
             topic, then the most on topic, then the highest): tickets {} (ENHANCER_EMBEDDINGS__TICKET_FLOOR), \
             articles {} (ENHANCER_EMBEDDINGS__ARTICLE_FLOOR); now {:.2} and {:.2}\n",
            tickets_now.share_of_best,
            say(ticket),
            say(article),
            tickets_now.floor,
            articles_now.floor
        );
    }
}

/// The floor the rule picks: of those whose on-topic share (`figures(floor).0`) is at least [`ON_TOPIC`],
/// the one with the most notes answered (`.1`), then the most on topic, then the highest.
fn by_the_rule(floors: &[f32], figures: impl Fn(f32) -> (f64, f64)) -> Option<f32> {
    floors
        .iter()
        .map(|&floor| (floor, figures(floor)))
        .filter(|(_, (on_topic, _))| *on_topic >= ON_TOPIC)
        .max_by(|(fa, (pa, aa)), (fb, (pb, ab))| aa.total_cmp(ab).then(pa.total_cmp(pb)).then(fa.total_cmp(fb)))
        .map(|(floor, _)| floor)
}

/// Whether the quality binary measures what the worker shows: our ranking cut with the worker's own
/// cut-offs must give exactly the note context `context_for` built.
pub fn consistent(o: &Outcome) -> bool {
    let (tickets, articles) = o.cutoffs;
    ids(&o.tickets, &tickets) == o.shown_tickets && ids(&o.articles, &articles) == o.shown_articles
}
