//! Reads PostgreSQL's text form of a `tsvector` (`'disk':1A,4B 'full':2A 'it''s':7C`) into lexemes with
//! their best field. The index loads `search::text` and parses it here: asking PostgreSQL to `unnest` each
//! vector into arrays instead cost it about seven times the CPU (4.6 s against 0.65 s for 100,000 tickets),
//! on the database every worker shares, at every worker's start and rebuild.
//!
//! The format (`tsvectorout`): lexemes in single quotes, separated by spaces, sorted; inside the quotes a
//! quote and a backslash are doubled; after the closing quote, optionally `:` and comma-separated positions,
//! each a number with its weight letter, none for the default weight D.

/// Each lexeme with its best field: 0 for weight A (subject, title), 1 for B (description, body), 2 for C or
/// D (resolution). A malformed text yields the lexemes read before the fault.
pub fn lexemes(text: &str) -> Vec<(String, u8)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next() != Some('\'') {
            return out;
        }
        let mut lexeme = String::new();
        loop {
            match chars.next() {
                Some('\\') => lexeme.extend(chars.next()),
                Some('\'') if chars.next_if_eq(&'\'').is_some() => lexeme.push('\''),
                Some('\'') => break,
                Some(c) => lexeme.push(c),
                None => return out,
            }
        }
        let mut field = 2u8;
        if chars.next_if_eq(&':').is_some() {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                match c {
                    'A' => field = 0,
                    'B' => field = field.min(1),
                    _ => {}
                }
            }
        }
        out.push((lexeme, field));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(pairs: &[(&str, u8)]) -> Vec<(String, u8)> {
        pairs.iter().map(|(l, f)| ((*l).to_owned(), *f)).collect()
    }

    #[test]
    fn positions_give_the_best_field() {
        assert_eq!(lexemes("'disk':1A,4B 'full':2B,9C 'log':5C"), owned(&[("disk", 0), ("full", 1), ("log", 2)]));
        assert_eq!(lexemes("'bare' 'd':3"), owned(&[("bare", 2), ("d", 2)]));
        assert_eq!(lexemes(""), owned(&[]));
    }

    #[test]
    fn doubled_quotes_and_backslashes_are_read_back() {
        assert_eq!(lexemes(r"'it''s':1A 'a\\b':2B"), owned(&[("it's", 0), (r"a\b", 1)]));
        assert_eq!(lexemes("'10.20.30.40':3B 'größe':1A"), owned(&[("10.20.30.40", 1), ("größe", 0)]));
    }

    #[test]
    fn a_malformed_text_keeps_what_came_before() {
        assert_eq!(lexemes("'ok':1A 'unterminated"), owned(&[("ok", 0)]));
        assert_eq!(lexemes("'ok':1A garbage"), owned(&[("ok", 0)]));
    }
}
