//! A thesaurus of IT service-desk wording for query-side expansion: a new ticket saying "my account blocks
//! itself" should meet the past ones saying "locked out", "wireless" should meet "Wi-Fi", "notebook"
//! "laptop", "sluggish" "slow". Lexical search misses such paraphrases, and the labelled set
//! (`tests/data/relevance/`) is written with them: many new tickets share only one or two words with their
//! family.
//!
//! Entries are lexemes in PostgreSQL's `english` form, as the stored `search` vectors hold them ("locked" is
//! `lock`, "slowly" `slowli`, "BIOS" `bio`); the integration test `tests/it/thesaurus.rs` asks PostgreSQL
//! that each is a stem. Three kinds:
//!
//! - **Groups** of interchangeable words: each stands for every other one.
//! - **Implications**, one way: a specific word implies a general one (a product its category, "SAP" an
//!   ERP; "Zabbix" a monitoring alert) but not the reverse, which would pull every ticket about the category
//!   towards the one product.
//! - **Phrases** whose words mean something else alone ("hard drive" is a disk where "drive" alone is as
//!   often a mapped drive; "log in" is a login, "log" alone a log file): found in the ticket's text, they
//!   give their head word's term the alternatives. A phrase is the precise way to add a synonym of an
//!   ambiguous word.
//!
//! The consensus re-ranking (`consensus.rs`) also reads the groups: two tickets agree on a word when they
//! use words of one group.
//!
//! Each alternative counts less than the word the ticket used (its factor is below 1): a document using the
//! ticket's own word is the better match. And each alternative widens its term: the term's document
//! frequency becomes that of the union, so a rare word expanded with a common one weighs less. Hence the
//! rule for adding an entry: the words must mean the same thing on a service desk in nearly every context.
//! The labelled set is built of confusable families (VPN vs Wi-Fi drops, a full server disk vs a busy
//! laptop disk, mailbox permission vs sync vs full), and a synonym that is true only sometimes ("drive" for
//! "disk", "room" for "space", "block" for database blocking) pulls in the look-alike family. Words the
//! stemmer already joins ("lockout"/"lockouts") or the query's prefix match covers ("expir" for "expiry")
//! need no entry.
//!
//! ## How the entries were chosen, and the factors
//!
//! From general service-desk usage, checked against the vocabulary of the past tickets and articles of the
//! labelled set and the misses of its TUNING half only (`cargo run -p enhancer-tests --bin quality --
//! --tune-only --verbose`): words that name the same thing in nearly every ticket, never a name or a ticket's
//! quirk. The first 137 entries were then left out one at a time on the tuning half: leaving any one out
//! gained at most one query, so none was dropped for the figures; three ambiguous ones were dropped on
//! their meaning ("leave" is also a holiday, "left" also a side, "real" also real-time). The later general
//! entries (abbreviations, products) changed no ticket ranking on the tuning half. Tried and not kept: "everyone" for
//! "nobody" (a scope word: one query worse), "login" for "log" (one worse), and matching alternatives as
//! prefixes (one query better in recall@3, one worse in top-1). Not added, on their meaning: "room" for
//! "space" (a meeting room; the phrase "no room" is kept), "drive" for "disk" (a mapped drive), "screen" for
//! "display" (a shared screen, a black boot screen, a room display: three families).
//!
//! Factors: the three levels were scaled together from 0.6 to 1.4 times (0.8, 0.6, 0.5) on the tuning half;
//! recall@3 and top-1 grew up to about 1.2 times and stayed level beyond, so they are 0.9, 0.7 and 0.6: a
//! true synonym nearly counts as the word, a paraphrase or a category clearly less.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Spelling variants, abbreviations and true synonyms ("wifi" / "wireless", "mic" / "microphone").
const SAME: f64 = 0.9;
/// Close paraphrases that an agent would read as the same symptom ("slow" / "sluggish", "hang" / "freeze").
const CLOSE: f64 = 0.7;
/// A specific word for its general one (one way only): "SAP" for "ERP", "Chrome" for "browser".
const BROADER: f64 = 0.6;

/// Interchangeable lexemes, with the factor each stands for the others at.
const GROUPS: &[(f64, &[&str])] = &[
    // Devices and their parts.
    (SAME, &["laptop", "notebook"]),
    (SAME, &["pc", "comput"]),
    (SAME, &["phone", "mobil", "smartphon", "cellphon"]),
    (SAME, &["mic", "microphon"]),
    (SAME, &["headset", "headphon"]),
    (SAME, &["webcam", "camera"]),
    (SAME, &["projector", "beamer"]),
    (SAME, &["cursor", "pointer"]),
    (SAME, &["bio", "uefi"]),
    (CLOSE, &["bio", "firmwar"]),
    (SAME, &["copier", "photocopi", "mfp", "multifunct"]),
    (CLOSE, &["scan", "scanner"]),
    (CLOSE, &["volum", "partit"]),
    // Networks.
    (SAME, &["wifi", "wi-fi", "wireless", "wlan"]),
    (SAME, &["ethernet", "lan"]),
    (SAME, &["hotspot", "tether"]),
    (CLOSE, &["disconnect", "drop"]),
    (CLOSE, &["unstabl", "flaki", "intermitt"]),
    (CLOSE, &["resolv", "resolut"]),
    (SAME, &["floor", "storey"]),
    (SAME, &["1st", "first"]),
    (SAME, &["2nd", "second"]),
    (SAME, &["3rd", "third"]),
    (SAME, &["4th", "fourth"]),
    // Accounts, sign-in and security.
    (SAME, &["login", "logon", "signin", "sign-in", "log-in"]),
    (SAME, &["password", "passcod", "pwd"]),
    (SAME, &["lock", "lockout"]),
    (SAME, &["forgot", "forget"]),
    (CLOSE, &["enrol", "regist"]),
    (SAME, &["deactiv", "disabl"]),
    (CLOSE, &["leaver", "offboard", "departur"]),
    (CLOSE, &["joiner", "starter", "onboard"]),
    (CLOSE, &["deni", "refus", "reject"]),
    (CLOSE, &["notif", "prompt", "popup"]),
    (CLOSE, &["phish", "scam", "fraud", "fraudul", "spoof"]),
    (CLOSE, &["compromis", "hack", "hijack"]),
    (CLOSE, &["suspici", "strang", "weird", "odd"]),
    (SAME, &["malwar", "virus"]),
    (SAME, &["antimalwar", "antivirus"]),
    (SAME, &["spam", "junk"]),
    (SAME, &["link", "url"]),
    (SAME, &["htm", "html"]),
    (SAME, &["cert", "certif", "certificat"]),
    (SAME, &["ssl", "tls"]),
    (SAME, &["mfa", "2fa", "two-factor", "multi-factor"]),
    (SAME, &["acct", "account"]),
    // Mail and collaboration.
    (SAME, &["email", "e-mail", "mail"]),
    (CLOSE, &["mailbox", "inbox"]),
    (SAME, &["webmail", "owa"]),
    (SAME, &["auto", "automat"]),
    (CLOSE, &["forward", "redirect"]),
    (SAME, &["sync", "synchron", "synchronis"]),
    (SAME, &["attende", "particip"]),
    (SAME, &["colleagu", "cowork"]),
    (SAME, &["holiday", "vacat"]),
    (CLOSE, &["quota", "limit"]),
    (CLOSE, &["space", "capac", "storag"]),
    (SAME, &["folder", "directori"]),
    (SAME, &["doc", "document"]),
    (SAME, &["msg", "messag"]),
    (SAME, &["dept", "depart"]),
    (SAME, &["app", "applic", "program"]),
    (SAME, &["procur", "purchas"]),
    (SAME, &["wont", "won"]),
    // Symptoms.
    (CLOSE, &["slow", "slowli", "sluggish", "crawl", "lag", "laggi"]),
    (CLOSE, &["hang", "freez", "frozen", "unrespons"]),
    (CLOSE, &["restart", "reboot"]),
    (CLOSE, &["boot", "startup"]),
    (CLOSE, &["black", "blank"]),
    (CLOSE, &["audio", "sound"]),
    (CLOSE, &["sound", "nois"]),
    (CLOSE, &["robot", "garbl", "distort", "choppi"]),
    (CLOSE, &["updat", "patch"]),
    // Printing.
    (CLOSE, &["streak", "stripe"]),
    (CLOSE, &["fade", "pale", "faint"]),
    (SAME, &["smudg", "smear"]),
    (SAME, &["toner", "ink"]),
    (SAME, &["grey", "gray"]),
    (CLOSE, &["creas", "wrinkl", "crumpl"]),
    (CLOSE, &["queue", "spooler"]),
    // Servers and applications.
    (SAME, &["db", "databas"]),
    (SAME, &["cpu", "processor"]),
    (SAME, &["d365", "dynam"]),
    (SAME, &["ntp", "w32tm"]),
];

/// One-way expansions: the first lexeme implies each of the others, not the reverse.
const IMPLIES: &[(f64, &str, &[&str])] = &[
    (BROADER, "hdd", &["disk"]),
    (BROADER, "ssd", &["disk"]),
    (BROADER, "iphon", &["phone"]),
    (BROADER, "android", &["phone"]),
    (BROADER, "copier", &["printer"]),
    (BROADER, "photocopi", &["printer"]),
    (BROADER, "mfp", &["printer"]),
    (BROADER, "multifunct", &["printer"]),
    (BROADER, "line", &["streak"]),
    (BROADER, "ricoh", &["printer", "copier"]),
    (BROADER, "kyocera", &["printer", "copier"]),
    (BROADER, "konica", &["printer", "copier"]),
    (BROADER, "xerox", &["printer", "copier"]),
    (BROADER, "laserjet", &["printer"]),
    (BROADER, "thinkpad", &["laptop"]),
    (BROADER, "elitebook", &["laptop"]),
    (BROADER, "probook", &["laptop"]),
    (BROADER, "latitud", &["laptop"]),
    (BROADER, "macbook", &["laptop", "mac"]),
    (BROADER, "apipa", &["dhcp"]),
    (BROADER, "ssid", &["wifi"]),
    (BROADER, "nslookup", &["dns"]),
    (BROADER, "encrypt", &["bitlock"]),
    (BROADER, "bootloop", &["boot", "loop"]),
    (BROADER, "resign", &["leaver"]),
    (BROADER, "sspr", &["password", "reset"]),
    (BROADER, "earbud", &["headset", "headphon"]),
    (BROADER, "earphon", &["headset", "headphon"]),
    (BROADER, "airpod", &["headset", "headphon"]),
    (BROADER, "tv", &["display"]),
    (BROADER, "filesystem", &["volum", "partit"]),
    (BROADER, "timezon", &["time", "zone"]),
    (BROADER, "mgr", &["manag"]),
    (BROADER, "tick", &["click"]),
    (BROADER, "wire", &["ethernet", "lan", "cabl"]),
    (BROADER, "wake", &["sleep"]),
    (BROADER, "hibern", &["sleep"]),
    (BROADER, "ldf", &["log", "transact"]),
    (BROADER, "dc", &["domain", "control"]),
    (BROADER, "dark", &["black"]),
    (BROADER, "annex", &["build"]),
    (BROADER, "nxdomain", &["dns", "resolv"]),
    (BROADER, "sap", &["erp"]),
    (BROADER, "navis", &["erp"]),
    (BROADER, "dynam", &["erp"]),
    (BROADER, "d365", &["erp"]),
    (BROADER, "dba", &["databas"]),
    (BROADER, "zabbix", &["monitor", "alert"]),
    (BROADER, "prtg", &["monitor", "alert"]),
    (BROADER, "nagio", &["monitor", "alert"]),
    (BROADER, "globalprotect", &["vpn"]),
    (BROADER, "anyconnect", &["vpn"]),
    (BROADER, "forticli", &["vpn"]),
    (BROADER, "tunnel", &["vpn"]),
    (BROADER, "chrome", &["browser"]),
    (BROADER, "edg", &["browser"]),
    (BROADER, "firefox", &["browser"]),
    (BROADER, "safari", &["browser"]),
    (BROADER, "websit", &["site"]),
    (BROADER, "webpag", &["page"]),
    (BROADER, "confluenc", &["wiki"]),
    (BROADER, "padlock", &["certif"]),
    (BROADER, "https", &["ssl", "tls"]),
    (BROADER, "defend", &["antivirus"]),
    (BROADER, "block", &["lock"]),
    (BROADER, "boss", &["manag"]),
    (BROADER, "supervisor", &["manag"]),
    (BROADER, "pop", &["popup"]),
    (BROADER, "stolen", &["lost"]),
    (BROADER, "start", &["boot"]),
    (BROADER, "bsod", &["crash"]),
    (BROADER, "legit", &["phish"]),
    (BROADER, "genuin", &["phish", "legit"]),
    (BROADER, "suspici", &["phish"]),
    (BROADER, "fake", &["phish"]),
    (BROADER, "silenc", &["sound"]),
    (BROADER, "silent", &["sound"]),
    (BROADER, "confer", &["meet"]),
    (BROADER, "boardroom", &["meet", "room"]),
    (BROADER, "otp", &["code"]),
    (BROADER, "sms", &["text"]),
    (BROADER, "kick", &["disconnect"]),
    (BROADER, "privileg", &["permiss"]),
];

/// Phrases whose words alone do not say what they mean together ("hard drive" is a disk, "no room" no space,
/// "log in" a login and not a log file): when the ticket's text holds one, the term of its `head` lexeme
/// gains the alternatives. Written as normalized text ([`normalize`]: lowercase words, apostrophes dropped).
const PHRASES: &[(&[&str], &str, f64, &[&str])] = &[
    (&["hard drive", "hard disk"], "drive", SAME, &["disk", "hdd"]),
    (&["no room", "room left"], "room", CLOSE, &["space"]),
    (&["log in", "logged in", "log into", "logging in", "log on", "logged on"], "log", SAME, &["login", "logon"]),
    (&["sign in", "signed in", "sign into", "signing in"], "sign", SAME, &["login", "logon"]),
    (&["out of office"], "offic", CLOSE, &["automat", "repli"]),
    (&["remote access"], "remot", CLOSE, &["vpn"]),
    (&["mail server", "email server"], "server", CLOSE, &["smtp"]),
    (&["time out", "timed out", "times out"], "time", SAME, &["timeout"]),
    (&["red x"], "red", SAME, &["cross"]),
    (&["one drive"], "drive", SAME, &["onedr"]),
    (&["big screen", "large screen", "wall screen"], "screen", CLOSE, &["display"]),
    (&["privacy error"], "privaci", CLOSE, &["certif"]),
    (&["not private", "isnt private"], "privat", CLOSE, &["certif"]),
    (&["not secure"], "secur", CLOSE, &["certif"]),
    (&["cuts out", "cutting out", "cut out", "cuts off", "cut off"], "cut", CLOSE, &["drop", "disconnect"]),
    (&["takes forever", "take forever", "taking forever"], "forev", CLOSE, &["slow"]),
    (&["takes ages", "take ages", "taking ages"], "age", CLOSE, &["slow"]),
    (&["turn on", "turns on", "turned on"], "turn", CLOSE, &["start", "boot"]),
];

/// `text` as [`PHRASES`] are written: lowercase words separated by one space, apostrophes dropped ("won't"
/// is "wont"), with a space at either end so a phrase is found as whole words.
fn normalize(text: &str) -> String {
    let mut out = String::from(" ");
    for c in text.chars().filter(|c| !matches!(c, '\'' | '\u{2019}')) {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The (head lexeme, alternative, factor) triples the phrases found in `text` add.
pub(super) fn phrase_alternatives(text: &str) -> Vec<(&'static str, &'static str, f64)> {
    let text = normalize(text);
    PHRASES
        .iter()
        .filter(|(phrases, ..)| phrases.iter().any(|phrase| text.contains(&format!(" {phrase} "))))
        .flat_map(|(_, head, factor, alternatives)| alternatives.iter().map(move |a| (*head, *a, *factor)))
        .collect()
}

/// The lexemes `lexeme` may stand for and their factors (each below 1, the best when several entries
/// relate the same pair), without `lexeme` itself; none for a word the thesaurus does not know.
pub(super) fn alternatives(lexeme: &str) -> impl Iterator<Item = (&'static str, f64)> {
    let mut best: HashMap<&'static str, f64> = HashMap::new();
    let mut offer = |other: &'static str, factor: f64| {
        if other != lexeme {
            let entry = best.entry(other).or_insert(factor);
            *entry = entry.max(factor);
        }
    };
    for (factor, group) in GROUPS.iter().filter(|(_, group)| group.contains(&lexeme)) {
        group.iter().for_each(|other| offer(other, *factor));
    }
    for (factor, _, implied) in IMPLIES.iter().filter(|(_, from, _)| *from == lexeme) {
        implied.iter().for_each(|other| offer(other, *factor));
    }
    let mut found: Vec<(&'static str, f64)> = best.into_iter().collect();
    // Best first, then alphabetical: a stable order whatever the hash map's.
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    found.into_iter()
}

/// The word that stands for `lexeme`'s group (the first of the first group naming it), or `lexeme` itself:
/// two documents saying "wifi" and "wireless" then share a word. A map lookup: the consensus asks it for
/// every lexeme of every candidate, where a scan of the groups was a few percent of a worker's CPU.
pub(super) fn canonical(lexeme: &str) -> &str {
    CANONICAL.get(lexeme).copied().unwrap_or(lexeme)
}

/// Each grouped lexeme and the word that stands for it, built once from [`GROUPS`] in order (the first group
/// naming a lexeme wins).
static CANONICAL: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let mut canonical = HashMap::new();
    for (_, group) in GROUPS {
        for lexeme in *group {
            canonical.entry(*lexeme).or_insert(group[0]);
        }
    }
    canonical
});

/// Every lexeme the thesaurus names, once each, for the test that asks PostgreSQL whether each is a stem.
pub fn lexemes() -> impl Iterator<Item = &'static str> {
    let grouped = GROUPS.iter().flat_map(|(_, group)| group.iter().copied());
    let implied = IMPLIES.iter().flat_map(|(_, from, to)| std::iter::once(*from).chain(to.iter().copied()));
    let phrased = PHRASES.iter().flat_map(|(_, head, _, to)| std::iter::once(*head).chain(to.iter().copied()));
    let mut all: Vec<&'static str> = grouped.chain(implied).chain(phrased).collect();
    all.sort_unstable();
    all.dedup();
    all.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric_and_implications_one_way() {
        assert!(alternatives("wireless").any(|(l, f)| l == "wifi" && f == SAME));
        assert!(alternatives("wifi").any(|(l, f)| l == "wireless" && f == SAME));
        assert!(alternatives("sap").any(|(l, f)| l == "erp" && f == BROADER));
        assert!(alternatives("erp").next().is_none(), "the category does not imply a product");
        assert!(alternatives("printer").next().is_none());
    }

    #[test]
    fn a_word_is_never_its_own_alternative_and_the_best_factor_wins() {
        for lexeme in lexemes() {
            assert!(alternatives(lexeme).all(|(other, _)| other != lexeme), "{lexeme}");
        }
        // `copier` is in a group with `mfp` (SAME) and implies `printer` (BROADER).
        let copier: Vec<_> = alternatives("copier").collect();
        assert!(copier.contains(&("mfp", SAME)) && copier.contains(&("printer", BROADER)), "{copier:?}");
        let unique: std::collections::HashSet<&str> = copier.iter().map(|(l, _)| *l).collect();
        assert_eq!(unique.len(), copier.len(), "each alternative once: {copier:?}");
    }

    #[test]
    fn phrases_are_found_as_whole_words_in_any_case_and_punctuation() {
        let found = phrase_alternatives("My HARD-DRIVE light won't go off; I can't log in.");
        assert!(found.contains(&("drive", "disk", SAME)) && found.contains(&("log", "login", SAME)), "{found:?}");
        assert!(phrase_alternatives("the shard drive; a blog in").is_empty());
        assert_eq!(normalize("Won't  start!"), " wont start ");
    }

    #[test]
    fn entries_are_plain_lowercase_lexemes_with_factors_below_one() {
        for lexeme in lexemes() {
            let plain = lexeme.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            assert!(plain && lexeme.len() >= 2, "{lexeme:?}");
        }
        let factors = GROUPS.iter().map(|(f, _)| *f).chain(IMPLIES.iter().map(|(f, _, _)| *f));
        assert!(factors.into_iter().all(|f| f > 0.0 && f < 1.0));
        assert!(GROUPS.iter().all(|(_, group)| group.len() >= 2));
        assert!(IMPLIES.iter().all(|(_, from, to)| !to.is_empty() && !to.contains(from)));
        for (phrases, ..) in PHRASES {
            assert!(phrases.iter().all(|p| normalize(p) == format!(" {p} ")), "{phrases:?} not normalized");
        }
    }
}
