//! A synthetic service-desk corpus for the search benchmark (`search-bench`, `worker-bench --corpus`):
//! tickets in families of look-alikes over a Zipf vocabulary, one mass incident of near-identical tickets,
//! knowledge-base articles and a nested inventory. Deterministic: the same [`Params`] give the same rows.
//!
//! - **Vocabulary.** A shared vocabulary of [`Params::common_words`] words (real service-desk words first,
//!   then made-up ones) drawn by a Zipf law of exponent [`Params::zipf_s`]: the first few words are in most
//!   tickets, the tail in a handful. Each family has [`FAMILY_WORDS`] words of its own (made up, so families
//!   never share them by accident), drawn by a Zipf law too: a family's first word is in most of its tickets.
//! - **Families.** [`Params::families`] families whose sizes follow a Zipf law of exponent 0.7 (the largest
//!   holds about 6 % of the tickets, the smallest a few dozen at 100,000).
//! - **A ticket.** Subject: two or three family words and up to two shared ones. Description: 12 to 112
//!   words (mean about 45), a quarter of them family words, in sentences; 12 % mention an address of the
//!   site. Resolution: 55 % of tickets, 6 to 30 words, 40 % family words.
//! - **The mass incident.** [`Params::mass_share`] of the tickets (5,000 at 100,000) say, nearly word for
//!   word, that Outlook cannot reach the Exchange server (with a time, a user and a floor of their own; 60 %
//!   name the server's address, an inventoried host). They fill every other slot of the timeline in a window
//!   that ends [`Params::mass_tail`] of the corpus before its end: by default the incident is over and 5 %
//!   ordinary tickets came after it, so the most recent tickets are not the incident's.
//! - **Knowledge base**: an article for three families in four, 150 general ones, one about the incident.
//! - **Inventory**: `network.rs`.

mod network;
mod words;

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use enhancer_shared::domain::{Priority, Ticket, TicketId};
use enhancer_worker::corpus::import::{ArticleRow, AssetRow, TicketRow};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub use network::{MAIL_SERVER, SITE};
use words::{Common, Zipf};

/// Words of each family's own vocabulary.
pub const FAMILY_WORDS: usize = 14;

/// What the generator makes.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub seed: u64,
    pub families: usize,
    pub common_words: usize,
    pub zipf_s: f64,
    /// The share of the tickets that belong to the mass incident.
    pub mass_share: f64,
    /// The share of the tickets that came after the mass incident ended (0: it is still going on).
    pub mass_tail: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params { seed: 20_261_202, families: 300, common_words: 8_000, zipf_s: 1.05, mass_share: 0.05, mass_tail: 0.05 }
    }
}

#[derive(Debug, Clone)]
struct Family {
    words: Vec<String>,
}

/// The vocabulary, families and inventory of one seed; makes corpora of any size and query tickets.
#[derive(Debug, Clone)]
pub struct Generator {
    params: Params,
    common: Common,
    families: Vec<Family>,
    family_words: Zipf,
    arrivals: Zipf,
    mentions: network::Mentions,
}

const MASS_SUBJECTS: [&str; 3] = [
    "Outlook cannot connect to Exchange",
    "Outlook not connecting to Exchange server",
    "Outlook disconnected from Exchange",
];

impl Generator {
    pub fn new(params: Params) -> Generator {
        let mut rng = StdRng::seed_from_u64(params.seed);
        let mut taken = HashSet::new();
        let common = Common::new(&mut rng, params.common_words, params.zipf_s, &mut taken);
        let families = (0..params.families)
            .map(|_| Family { words: words::invent(&mut rng, FAMILY_WORDS, &mut taken) })
            .collect::<Vec<_>>();
        let mentions = network::Mentions::new(&mut rng);
        Generator {
            params,
            common,
            family_words: Zipf::new(FAMILY_WORDS, 1.0),
            arrivals: Zipf::new(families.len(), 0.7),
            families,
            mentions,
        }
    }

    pub fn params(&self) -> Params {
        self.params
    }

    /// `n` past tickets in timeline order (`INC-000000` oldest), the mass incident's among them.
    pub fn tickets(&self, n: usize) -> Vec<TicketRow> {
        let mut rng = StdRng::seed_from_u64(self.params.seed ^ (n as u64).wrapping_mul(0x9e37_79b9));
        let mass = (n as f64 * self.params.mass_share).round() as usize;
        let end = n - (n as f64 * self.params.mass_tail).round() as usize;
        let start = end.saturating_sub(2 * mass);
        let start_time = Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).single().unwrap_or_default();
        (0..n)
            .map(|position| {
                let is_mass = position >= start && position < end && (position - start) % 2 == 1;
                let opened = start_time + Duration::minutes(5 * position as i64);
                let id = format!("INC-{position:06}");
                let (subject, description, resolution) = if is_mass {
                    self.mass_text(&mut rng, position, false)
                } else {
                    self.ordinary_text(&mut rng, false)
                };
                TicketRow {
                    url: Some(format!("https://helpdesk.example.com/tickets/{id}")),
                    ticket_id: id,
                    subject,
                    status: Some(if resolution.is_some() { "resolved" } else { "open" }.into()),
                    description,
                    resolved_at: resolution.as_ref().map(|_| opened + Duration::hours(4)),
                    resolution,
                    priority: Some(Priority::Medium),
                    opened_at: Some(opened),
                }
            })
            .collect()
    }

    /// The knowledge base: three families in four have an article, then general ones, then the incident's.
    pub fn articles(&self) -> Vec<ArticleRow> {
        let mut rng = StdRng::seed_from_u64(self.params.seed ^ 0xa7_u64);
        let mut rows = Vec::new();
        for (index, family) in self.families.iter().enumerate().filter(|(i, _)| i % 4 != 3) {
            let title = format!("How to fix {} {} {}", family.words[0], family.words[1], family.words[2]);
            let body = self.words(&mut rng, Some(family), 80..260, 0.35, true);
            rows.push(article(format!("KB-F{index:03}"), title, body));
        }
        for index in 0..150 {
            let title = capitalize(&self.words(&mut rng, None, 3..6, 0.0, false));
            let body = self.words(&mut rng, None, 80..260, 0.0, true);
            rows.push(article(format!("KB-G{index:03}"), title, body));
        }
        rows.push(article(
            "KB-MAIL".into(),
            "Outlook cannot connect to Exchange: what to check".into(),
            "When Outlook cannot connect to the Exchange server check the server EXCH01, the Outlook profile and \
             the mail flow. Restart the Exchange services if every user is affected."
                .into(),
        ));
        rows
    }

    /// The site's inventory.
    pub fn assets(&self) -> Vec<AssetRow> {
        network::assets()
    }

    /// The `i`-th new ticket of a family drawn as tickets arrive (large families more often), naming one
    /// address of the site. Not in any corpus.
    pub fn ordinary_query(&self, i: usize) -> Ticket {
        let mut rng = StdRng::seed_from_u64(self.params.seed ^ 0x9e37_79b9_u64 ^ (i as u64).wrapping_mul(0x1000_0001));
        let (subject, description, _) = self.ordinary_text(&mut rng, true);
        query(format!("Q-{i}"), subject, description)
    }

    /// The `i`-th new ticket of the mass incident, naming the mail server. Not in any corpus.
    pub fn mass_query(&self, i: usize) -> Ticket {
        let mut rng = StdRng::seed_from_u64(self.params.seed ^ 0x5eed_u64 ^ (i as u64).wrapping_mul(0x1000_0001));
        let (subject, description, _) = self.mass_text(&mut rng, 1_000_000 + i, true);
        query(format!("M-{i}"), subject, description)
    }

    fn ordinary_text(&self, rng: &mut StdRng, with_address: bool) -> (String, String, Option<String>) {
        let family = &self.families[self.arrivals.sample(rng)];
        let mut subject: Vec<String> = Vec::new();
        for _ in 0..rng.random_range(2..=3) {
            let word = &family.words[self.family_words.sample(rng)];
            if !subject.contains(word) {
                subject.push(word.clone());
            }
        }
        for _ in 0..rng.random_range(0..=2) {
            subject.insert(rng.random_range(0..=subject.len()), self.common.draw(rng).to_owned());
        }
        let length = 12 + (rng.random::<f64>().powi(2) * 100.0) as usize;
        let mut description = self.words(rng, Some(family), length..length + 1, 0.25, true);
        if with_address || rng.random_bool(0.12) {
            description.push_str(&format!(" Address {}.", self.mentions.draw(rng)));
        }
        let resolution = rng.random_bool(0.55).then(|| self.words(rng, Some(family), 6..31, 0.4, true));
        (capitalize(&subject.join(" ")), description, resolution)
    }

    fn mass_text(&self, rng: &mut StdRng, n: usize, with_address: bool) -> (String, String, Option<String>) {
        let subject = MASS_SUBJECTS[rng.random_range(0..MASS_SUBJECTS.len())].to_owned();
        let server = if with_address || rng.random_bool(0.6) { format!(" ({MAIL_SERVER})") } else { String::new() };
        let description = format!(
            "Since {:02}:{:02} Outlook cannot connect to the Exchange server{server}. Mails stay in the outbox and \
             Outlook keeps asking for the password. User u{n:06}, floor {}.",
            8 + rng.random_range(0..3),
            rng.random_range(0..60),
            rng.random_range(1..9)
        );
        let resolution = rng
            .random_bool(0.05)
            .then(|| "Exchange services restarted on EXCH01, Outlook reconnected by itself.".to_owned());
        (subject, description, resolution)
    }

    /// Text of a length drawn from `length`, a `family_share` of it the family's words, the rest shared
    /// words; in sentences when `sentences`.
    fn words(
        &self,
        rng: &mut StdRng,
        family: Option<&Family>,
        length: std::ops::Range<usize>,
        family_share: f64,
        sentences: bool,
    ) -> String {
        let count = rng.random_range(length);
        let mut text = String::new();
        let mut in_sentence = 0;
        for index in 0..count {
            let word = match family {
                Some(family) if rng.random_bool(family_share) => family.words[self.family_words.sample(rng)].as_str(),
                _ => self.common.draw(rng),
            };
            if in_sentence == 0 && sentences {
                text.push_str(&capitalize(word));
            } else {
                text.push_str(word);
            }
            in_sentence += 1;
            let end = sentences && (index + 1 == count || (in_sentence >= 6 && rng.random_bool(0.2)));
            if end {
                text.push('.');
                in_sentence = 0;
            }
            if index + 1 < count {
                text.push(' ');
            }
        }
        text
    }
}

fn article(article_id: String, title: String, body: String) -> ArticleRow {
    let url = Some(format!("https://kb.example.com/{article_id}"));
    ArticleRow { article_id, title, body, url }
}

fn query(id: String, subject: String, description: String) -> Ticket {
    Ticket {
        url: Some(format!("https://helpdesk.example.com/tickets/{id}")),
        id: TicketId::parse(id).unwrap_or_else(|_| unreachable!("generated ids are valid")),
        subject,
        description,
        status: Some("open".into()),
        priority: Priority::Medium,
        requester: None,
        created_at: Some(DateTime::<Utc>::UNIX_EPOCH),
        updated_at: None,
        resolution: None,
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_corpus_and_the_mass_incident_its_share() {
        let generator = Generator::new(Params::default());
        let tickets = generator.tickets(2_000);
        assert_eq!(tickets, Generator::new(Params::default()).tickets(2_000));
        let mass = tickets.iter().filter(|t| t.subject.contains("Exchange")).count();
        assert_eq!(mass, 100);
        // The incident is over: the last 5 % are ordinary tickets.
        assert!(tickets[1_900..].iter().all(|t| !t.subject.contains("Exchange")));
        assert_eq!(generator.ordinary_query(3).description, generator.ordinary_query(3).description);
        assert!(generator.mass_query(1).description.contains(MAIL_SERVER));
    }
}
