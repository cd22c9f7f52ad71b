//! recall@3, top-1 accuracy and KB hit@3, accumulated over the labelled queries.

pub const K: usize = 3;

#[derive(Debug, Default, Clone, Copy)]
pub struct Scores {
    queries: usize,
    recall_sum: f64,
    top1: usize,
    kb_hits: usize,
}

impl Scores {
    /// `tickets` and `articles` are ranked ids, best first.
    pub fn add(&mut self, relevant: &[String], kb: &str, tickets: &[String], articles: &[String]) {
        self.queries += 1;
        let found = tickets.iter().take(K).filter(|id| relevant.contains(id)).count();
        self.recall_sum += found as f64 / relevant.len().clamp(1, K) as f64;
        self.top1 += usize::from(tickets.first().is_some_and(|id| relevant.contains(id)));
        self.kb_hits += usize::from(articles.iter().take(K).any(|id| id == kb));
    }

    pub fn recall(&self) -> f64 {
        self.recall_sum / self.queries.max(1) as f64
    }

    pub fn top1(&self) -> f64 {
        self.top1 as f64 / self.queries.max(1) as f64
    }

    pub fn kb_hit(&self) -> f64 {
        self.kb_hits as f64 / self.queries.max(1) as f64
    }
}
