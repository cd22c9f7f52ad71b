//! The figures, accumulated over queries: of a ranking (recall@3, top-1, KB hit@3) and of what a note
//! shows (the on-topic share of its similar tickets and of its articles, how many it lists, and whether a
//! question without an article gets none).

pub const K: usize = 3;

/// How good a ranking is, before any cut-off.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ranking {
    queries: usize,
    recall_sum: f64,
    top1: usize,
    /// Queries whose family has an article: KB hit@3 is over these only.
    kb_queries: usize,
    kb_hits: usize,
}

impl Ranking {
    /// `tickets` and `articles` are ranked ids, best first; `kb` the family's articles (possibly none).
    pub fn add(&mut self, relevant: &[String], kb: &[String], tickets: &[String], articles: &[String]) {
        self.queries += 1;
        let found = tickets.iter().take(K).filter(|id| relevant.contains(id)).count();
        self.recall_sum += found as f64 / relevant.len().clamp(1, K) as f64;
        self.top1 += usize::from(tickets.first().is_some_and(|id| relevant.contains(id)));
        if !kb.is_empty() {
            self.kb_queries += 1;
            self.kb_hits += usize::from(articles.iter().take(K).any(|id| kb.contains(id)));
        }
    }

    /// The share of a query's relevant tickets among the first three (each family has at least three).
    pub fn recall(&self) -> f64 {
        self.recall_sum / self.queries.max(1) as f64
    }

    pub fn top1(&self) -> f64 {
        self.top1 as f64 / self.queries.max(1) as f64
    }

    pub fn kb_hit(&self) -> f64 {
        self.kb_hits as f64 / self.kb_queries.max(1) as f64
    }
}

/// What the notes show, pooled over notes: the on-topic share is on-topic items over all items shown.
#[derive(Debug, Default, Clone, Copy)]
pub struct Shown {
    notes: usize,
    tickets: usize,
    tickets_on_topic: usize,
    /// Notes with at least one of the family's tickets shown.
    notes_with_a_relevant_ticket: usize,
    articles: usize,
    articles_on_topic: usize,
    /// Notes whose family has an article, and of them those that show one of its articles.
    kb_notes: usize,
    kb_notes_answered: usize,
    /// Notes whose family has no article, and of them those that show none.
    no_kb_notes: usize,
    no_kb_notes_empty: usize,
}

impl Shown {
    pub fn add(&mut self, relevant: &[String], kb: &[String], tickets: &[String], articles: &[String]) {
        self.notes += 1;
        self.tickets += tickets.len();
        let on_topic = tickets.iter().filter(|id| relevant.contains(id)).count();
        self.tickets_on_topic += on_topic;
        self.notes_with_a_relevant_ticket += usize::from(on_topic > 0);
        self.articles += articles.len();
        let on_topic = articles.iter().filter(|id| kb.contains(id)).count();
        self.articles_on_topic += on_topic;
        if kb.is_empty() {
            self.no_kb_notes += 1;
            self.no_kb_notes_empty += usize::from(articles.is_empty());
        } else {
            self.kb_notes += 1;
            self.kb_notes_answered += usize::from(on_topic > 0);
        }
    }

    /// On-topic share of the similar tickets shown (1 when nothing is shown at all).
    pub fn ticket_precision(&self) -> f64 {
        share(self.tickets_on_topic, self.tickets)
    }

    pub fn article_precision(&self) -> f64 {
        share(self.articles_on_topic, self.articles)
    }

    pub fn mean_tickets(&self) -> f64 {
        self.tickets as f64 / self.notes.max(1) as f64
    }

    pub fn mean_articles(&self) -> f64 {
        self.articles as f64 / self.notes.max(1) as f64
    }

    /// Share of notes that show at least one ticket of the family.
    pub fn ticket_answered(&self) -> f64 {
        share(self.notes_with_a_relevant_ticket, self.notes)
    }

    /// Share of notes whose family has an article that show one of its articles.
    pub fn kb_answered(&self) -> f64 {
        share(self.kb_notes_answered, self.kb_notes)
    }

    /// Share of notes whose family has no article that show no article (`None` when there is no such note).
    pub fn no_article_empty(&self) -> Option<f64> {
        (self.no_kb_notes > 0).then(|| share(self.no_kb_notes_empty, self.no_kb_notes))
    }

    pub fn no_article_notes(&self) -> usize {
        self.no_kb_notes
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}
