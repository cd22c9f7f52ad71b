//! A thesaurus of IT service-desk wording for query-side expansion: a new ticket saying "my account blocks
//! itself" should meet the past ones saying "locked out", "wireless" should meet "Wi-Fi", "notebook"
//! "laptop", "sluggish" "slow". Lexical search misses such paraphrases, and the labelled set
//! (`tests/data/relevance/`) is written with them: many new tickets share only one or two words with their
//! family.
//!
//! Entries are lexemes in PostgreSQL's `english` form, as the stored `search` vectors hold them ("locked" is
//! `lock`, "slowly" `slowli`, "BIOS" `bio`); the integration test `tests/it/thesaurus.rs` asks PostgreSQL
//! that each is its own stem. Two kinds:
//!
//! - **Groups** of interchangeable words: each stands for every other one.
//! - **Implications**, one way: a specific word implies a general one (a product its category, "SAP" an
//!   ERP; "Zabbix" a monitoring alert) but not the reverse, which would pull every ticket about the category
//!   towards the one product.
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

use std::collections::HashMap;

/// Spelling variants, abbreviations and true synonyms ("wifi" / "wireless", "mic" / "microphone").
const SAME: f64 = 0.8;
/// Close paraphrases that an agent would read as the same symptom ("slow" / "sluggish", "hang" / "freeze").
const CLOSE: f64 = 0.6;
/// A specific word for its general one (one way only): "SAP" for "ERP", "Chrome" for "browser".
const BROADER: f64 = 0.5;

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
    (SAME, &["malwar", "virus"]),
    (SAME, &["antimalwar", "antivirus"]),
    (SAME, &["spam", "junk"]),
    (SAME, &["link", "url"]),
    (SAME, &["htm", "html"]),
    (SAME, &["cert", "certif", "certificat"]),
    (SAME, &["ssl", "tls"]),
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
    (SAME, &["app", "applic"]),
    // Symptoms.
    (CLOSE, &["slow", "slowli", "sluggish", "crawl", "lag", "laggi"]),
    (CLOSE, &["hang", "freez", "frozen", "unrespons"]),
    (CLOSE, &["restart", "reboot"]),
    (CLOSE, &["boot", "startup"]),
    (CLOSE, &["black", "blank"]),
    (CLOSE, &["audio", "sound"]),
    (CLOSE, &["robot", "garbl", "distort", "choppi"]),
    (CLOSE, &["updat", "patch"]),
    // Printing.
    (CLOSE, &["streak", "stripe"]),
    (CLOSE, &["fade", "pale", "faint"]),
    (SAME, &["smudg", "smear"]),
    (SAME, &["toner", "ink"]),
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
    (BROADER, "apipa", &["dhcp"]),
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
    (BROADER, "genuin", &["phish"]),
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

/// Every lexeme the thesaurus names, once each, for the test that asks PostgreSQL whether each is a stem.
pub fn lexemes() -> impl Iterator<Item = &'static str> {
    let grouped = GROUPS.iter().flat_map(|(_, group)| group.iter().copied());
    let implied = IMPLIES.iter().flat_map(|(_, from, to)| std::iter::once(*from).chain(to.iter().copied()));
    let mut all: Vec<&'static str> = grouped.chain(implied).collect();
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
    fn entries_are_plain_lowercase_lexemes_with_factors_below_one() {
        for lexeme in lexemes() {
            let plain = lexeme.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            assert!(plain && lexeme.len() >= 2, "{lexeme:?}");
        }
        let factors = GROUPS.iter().map(|(f, _)| *f).chain(IMPLIES.iter().map(|(f, _, _)| *f));
        assert!(factors.into_iter().all(|f| f > 0.0 && f < 1.0));
        assert!(GROUPS.iter().all(|(_, group)| group.len() >= 2));
        assert!(IMPLIES.iter().all(|(_, from, to)| !to.is_empty() && !to.contains(from)));
    }
}
