//! Redaction of e-mail addresses and phone numbers before ticket text leaves for an LLM, and their
//! restoration in the note that comes back. Each distinct value gets one placeholder (`[EMAIL_1]`,
//! `[PHONE_2]`), so the model can still tell that two mentions are the same person.
//!
//! Phone numbers are found by a heuristic, not a parser: a run of digits with spaces, `-` or parentheses
//! (an optional leading `+`), 9 to 15 digits (8 with `+`), not glued to letters, dots, colons or slashes.
//! That keeps IP addresses, versions, times, dates and ids like `INC-123456789` intact; those matter to
//! the note and are not personal data.

use std::collections::BTreeMap;

/// Placeholders and the values they stand for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Redactions {
    by_placeholder: BTreeMap<String, String>,
    by_value: BTreeMap<String, String>,
    emails: usize,
    phones: usize,
}

impl Redactions {
    pub fn is_empty(&self) -> bool {
        self.by_placeholder.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_placeholder.len()
    }

    fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        if let Some(existing) = self.by_value.get(value) {
            return existing.clone();
        }
        let placeholder = match kind {
            Kind::Email => {
                self.emails += 1;
                format!("[EMAIL_{}]", self.emails)
            }
            Kind::Phone => {
                self.phones += 1;
                format!("[PHONE_{}]", self.phones)
            }
        };
        self.by_value.insert(value.to_owned(), placeholder.clone());
        self.by_placeholder.insert(placeholder.clone(), value.to_owned());
        placeholder
    }

    /// Puts the original values back (see [`restore`]).
    pub fn restore(&self, text: &str) -> String {
        restore(text, self)
    }

    /// Replaces more of the same request's text, with placeholders consistent with earlier calls.
    pub fn redact_more(&mut self, text: &str) -> String {
        let mut found = find_emails(text);
        let phones: Vec<Match> =
            find_phones(text).into_iter().filter(|p| !found.iter().any(|e| overlaps(e, p))).collect();
        found.extend(phones);
        found.sort_by_key(|m| m.start);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for m in found {
            out.push_str(&text[at..m.start]);
            out.push_str(&self.placeholder(m.kind, &text[m.start..m.end]));
            at = m.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// Replaces e-mail addresses and phone numbers in `text` with placeholders.
pub fn redact(text: &str) -> (String, Redactions) {
    let mut redactions = Redactions::default();
    let redacted = redactions.redact_more(text);
    (redacted, redactions)
}

/// Puts the original values back where the placeholders are.
pub fn restore(text: &str, redactions: &Redactions) -> String {
    let mut out = text.to_owned();
    // `[EMAIL_1]` is not a substring of `[EMAIL_10]` (the brackets see to that), so order does not matter.
    for (placeholder, value) in &redactions.by_placeholder {
        out = out.replace(placeholder.as_str(), value);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Email,
    Phone,
}

#[derive(Debug, Clone, Copy)]
struct Match {
    start: usize,
    end: usize,
    kind: Kind,
}

fn overlaps(a: &Match, b: &Match) -> bool {
    a.start < b.end && b.start < a.end
}

/// Letters beyond ASCII count: internationalized addresses (`jörg@exämple.de`) are personal data too.
fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || "._%+-".contains(c)
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '-'
}

/// `local@domain.tld`, the domain with at least one dot and an alphabetic top-level label.
fn find_emails(text: &str) -> Vec<Match> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        let start = text[..at].char_indices().rev().take_while(|(_, c)| is_local_char(*c)).last().map(|(i, _)| i);
        let Some(start) = start else { continue };
        let start = start + text[start..at].find(|c: char| c != '.').unwrap_or(0);
        let domain_len = text[at + 1..].find(|c: char| !is_domain_char(c)).unwrap_or(text.len() - at - 1);
        let domain = text[at + 1..at + 1 + domain_len].trim_end_matches(['.', '-']);
        let tld = domain.rsplit('.').next().unwrap_or("");
        let valid = start < at && domain.contains('.') && tld.len() >= 2 && tld.chars().all(char::is_alphabetic);
        if valid && found.last().is_none_or(|m: &Match| m.end <= start) {
            found.push(Match { start, end: at + 1 + domain.len(), kind: Kind::Email });
        }
    }
    found
}

fn is_phone_char(c: char) -> bool {
    c.is_ascii_digit() || " -()+".contains(c)
}

/// Whether the text next to a candidate makes it part of something else: an IP address or version
/// (`.` followed by a digit), a time, a path, an identifier.
fn glued(mut beside: impl Iterator<Item = char>) -> bool {
    match beside.next() {
        Some('.') => beside.next().is_some_and(|c| c.is_ascii_alphanumeric()),
        Some(c) => c.is_alphanumeric() || ":/_-@".contains(c),
        None => false,
    }
}

fn find_phones(text: &str) -> Vec<Match> {
    let mut found = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let opens_number = c == '(' && text[start + 1..].starts_with(|d: char| d.is_ascii_digit());
        if !(c.is_ascii_digit() || c == '+' || opens_number) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, next)) = chars.peek() {
            // A double space ends a number.
            if !is_phone_char(next) || (next == ' ' && text[end..].starts_with("  ")) {
                break;
            }
            end = i + next.len_utf8();
            chars.next();
        }
        let mut candidate = text[start..end].trim_end_matches([' ', '-', '(']);
        // "(+49 30 1234567)": the closing parenthesis belongs to the sentence, not the number.
        while candidate.ends_with(')') && candidate.matches(')').count() > candidate.matches('(').count() {
            candidate = candidate[..candidate.len() - 1].trim_end_matches([' ', '-']);
        }
        let end = start + candidate.len();
        if glued(text[..start].chars().rev())
            || glued(text[end..].chars())
            || candidate.rfind('+').is_some_and(|i| i > 0)
        {
            continue;
        }
        let digits = candidate.chars().filter(char::is_ascii_digit).count();
        let separated = candidate.contains([' ', '-', '(']);
        let plausible = if candidate.starts_with('+') {
            (8..=15).contains(&digits)
        } else {
            (9..=15).contains(&digits) && separated
        };
        if plausible {
            found.push(Match { start, end, kind: Kind::Phone });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones_are_replaced_and_restored() {
        let text = "From jane.doe@example.com (+49 30 1234567): call 030-1234-5678, cc ops@corp.example.org. \
                    Again: jane.doe@example.com";
        let (redacted, map) = redact(text);
        assert_eq!(
            redacted, "From [EMAIL_1] ([PHONE_1]): call [PHONE_2], cc [EMAIL_2]. Again: [EMAIL_1]",
            "{redacted}"
        );
        assert_eq!(map.len(), 4);
        assert_eq!(restore(&redacted, &map), text);
    }

    #[test]
    fn technical_values_are_left_alone() {
        for text in [
            "host 10.20.30.40 and 2001:db8::1 on port 8443",
            "version v1.2.3.4 released 2024-01-05 10:20:30",
            "ticket INC-123456789 and PRJ_1234567890",
            "see https://example.com/a/123456789012",
            "disk at 95 percent, 120 GB free",
            "user@localhost has no domain",
        ] {
            let (redacted, map) = redact(text);
            assert_eq!(redacted, text);
            assert!(map.is_empty(), "{text}");
        }
    }

    #[test]
    fn internationalized_addresses_are_found() {
        assert_eq!(redact("von jörg@exämple.de.").0, "von [EMAIL_1].");
    }

    #[test]
    fn us_and_bracketed_numbers_are_found() {
        let (redacted, _) = redact("Reach me at (555) 123-4567 or +1 555 123 4567.");
        assert_eq!(redacted, "Reach me at [PHONE_1] or [PHONE_2].");
    }

    #[test]
    fn odd_input_never_panics_and_round_trips() {
        for text in [
            "",
            "@",
            "a@",
            "@b.io",
            "((((",
            "+",
            "(1",
            "1)",
            "ä@ö.de",
            "jörg@exämple.de",
            "x@y.c0m",
            "a@b..io",
            "+1 (555) 123-4567)",
            "(+44) 20 7946 0958",
            "0049  30 1234567",
            "☎ +49 30 1234567 ☎",
            "..a@b.io..",
            "mailto:a@b.io?subject=x",
            "[EMAIL_1] a@b.io",
            "12345678901234567890 1",
            "+123456789012345678",
        ] {
            let (redacted, map) = redact(text);
            if !text.contains("[EMAIL_1]") {
                assert_eq!(restore(&redacted, &map), text, "{text:?} -> {redacted:?}");
            }
        }
    }

    #[test]
    fn consistent_across_several_texts() {
        let mut map = Redactions::default();
        let a = map.redact_more("a@b.io");
        let b = map.redact_more("mail a@b.io and c@d.io");
        assert_eq!(a, "[EMAIL_1]");
        assert_eq!(b, "mail [EMAIL_1] and [EMAIL_2]");
    }

    #[test]
    fn restore_leaves_unknown_placeholders_and_handles_ten_or_more() {
        let text = (1..=11).map(|i| format!("u{i}@x.org")).collect::<Vec<_>>().join(" ");
        let (redacted, map) = redact(&text);
        assert!(redacted.contains("[EMAIL_10]") && redacted.contains("[EMAIL_1]"));
        assert_eq!(restore(&redacted, &map), text);
        assert_eq!(restore("[EMAIL_99] stays", &map), "[EMAIL_99] stays");
    }
}
