//! The hand-written scanner behind [`super::extract`]: finds runs of address characters that start and end
//! at word boundaries, and lets `std::net` decide what is an address.
//!
//! Everything is done on bytes: every character that matters is ASCII, and a multi-byte UTF-8 character
//! counts as a boundary, so slicing at the positions found here always lands on a character boundary.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{IpMention, parse_prefix};

/// Every valid mention in `text`, in order, duplicates included.
pub(super) fn mentions(text: &str) -> Vec<IpMention> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // IPv6 first, so that the dotted tail of `::ffff:10.0.0.5` is not taken for an IPv4 address.
        let hit = if starts_v6(bytes, i) { ipv6_at(text, i) } else { None };
        let hit = hit.or_else(|| if starts_v4(bytes, i) { ipv4_at(text, i) } else { None });
        match hit {
            Some((mention, end)) => {
                found.extend(mention);
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    found
}

/// Longer than any address plus a few punctuation characters after it.
const MAX_RUN: usize = 48;

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// An IPv4 address starts with a digit that does not continue a word or a dotted number (`v1.2.3.4`,
/// `1.2.3.4.5`). A colon before it is fine (`ip:10.0.0.5`).
fn starts_v4(bytes: &[u8], i: usize) -> bool {
    bytes[i].is_ascii_digit() && (i == 0 || !(is_word(bytes[i - 1]) || bytes[i - 1] == b'.'))
}

/// An IPv6 address starts with a hex digit or a colon that does not continue a word, a dotted number or a
/// colon group (so that a failed `1:2:3:4:5:6:7:8:9` is not retried from `2:`).
fn starts_v6(bytes: &[u8], i: usize) -> bool {
    let b = bytes[i];
    (b.is_ascii_hexdigit() || b == b':')
        && (i == 0 || !(is_word(bytes[i - 1]) || bytes[i - 1] == b'.' || bytes[i - 1] == b':'))
}

/// An IPv4 address (and prefix) at `i`, with the position after it; `Some((None, end))` when the text
/// looks like a network but its prefix is out of range, so the scan moves past it.
fn ipv4_at(text: &str, i: usize) -> Option<(Option<IpMention>, usize)> {
    let (candidate, end) = run_at(text, i, |b| b.is_ascii_digit() || b == b'.', |s| s.parse::<Ipv4Addr>().ok())?;
    // `1.2.3.4.` ends a sentence; `1.2.3.4.5` is a version or an OID, and `run_at` refuses it whole.
    Some(with_prefix(text, i, end, IpAddr::V4(candidate)))
}

fn ipv6_at(text: &str, i: usize) -> Option<(Option<IpMention>, usize)> {
    let (candidate, end) = run_at(
        text,
        i,
        |b| b.is_ascii_hexdigit() || b == b':' || b == b'.',
        // `::` alone is C++ or Rust far more often than the unspecified address.
        |s| s.bytes().any(|b| b.is_ascii_hexdigit()).then(|| s.parse::<Ipv6Addr>().ok()).flatten(),
    )?;
    Some(with_prefix(text, i, end, IpAddr::V6(candidate)))
}

/// The longest run of `allowed` bytes at `i`, which must not be followed by a word character, parsed with
/// `parse`; trailing `.` and `:` (punctuation after the address) are dropped one at a time until it parses.
fn run_at<T>(
    text: &str,
    i: usize,
    allowed: impl Fn(u8) -> bool,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<(T, usize)> {
    let bytes = text.as_bytes();
    let run_end = bytes[i..].iter().position(|&b| !allowed(b)).map_or(bytes.len(), |n| i + n);
    // The longest address is 45 characters (`ffff:...:255.255.255.255`); a longer run is something else, and
    // refusing it early keeps the scan linear on hostile input.
    if run_end - i > MAX_RUN || bytes.get(run_end).is_some_and(|&b| is_word(b)) {
        return None;
    }
    let mut end = run_end;
    loop {
        if let Some(parsed) = parse(&text[i..end]) {
            return Some((parsed, end));
        }
        match bytes[..end].last() {
            Some(b'.' | b':') if end > i + 1 => end -= 1,
            _ => return None,
        }
    }
}

/// Reads an optional `/prefix` after the address at `start..end`. In a URL (`https://10.0.0.5/24`) the
/// slash starts a path, and so does a slash followed by anything but a lone number.
fn with_prefix(text: &str, start: usize, end: usize, address: IpAddr) -> (Option<IpMention>, usize) {
    let bytes = text.as_bytes();
    let in_url = text[..start].ends_with("//") || text[..start].ends_with('@');
    if in_url || bytes.get(end) != Some(&b'/') {
        return (IpMention::new(address, None), end);
    }
    let digits_end = bytes[end + 1..].iter().position(|b| !b.is_ascii_digit()).map_or(bytes.len(), |n| end + 1 + n);
    let after = &bytes[digits_end..];
    let clean = match after {
        [] => true,
        [b'.', next, ..] => !next.is_ascii_digit(),
        [b, ..] => !is_word(*b) && *b != b'/',
    };
    if digits_end == end + 1 || !clean {
        return (IpMention::new(address, None), end);
    }
    match parse_prefix(&text[end + 1..digits_end]) {
        // A network with an impossible prefix (`10.0.0.0/33`) is not an address at all.
        Some(len) => (IpMention::new(address, Some(len)), digits_end),
        None => (None, digits_end),
    }
}
