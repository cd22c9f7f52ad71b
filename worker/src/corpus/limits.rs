//! How much of a text the corpus stores and indexes. PostgreSQL refuses a `tsvector` over 1 MB ("string
//! is too long for tsvector"), and the `search` columns are generated from the stored text, so one huge
//! description would fail its upsert (and the job with it) for good. Every corpus writer and the search's
//! own `to_tsvector` clip their text to these limits first, on a UTF-8 character boundary.
//!
//! The limits sit far under the tsvector cap: even text of all-distinct words stays a few hundred KB as
//! a tsvector. What is cut is the tail of a very long text, which adds little to finding similar tickets.

/// Description, resolution and article body: 64 KiB.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Subject and article title: 1 KiB.
pub const MAX_TITLE_BYTES: usize = 1024;

/// `text` cut to at most `max` bytes, at the last character boundary not past it.
pub fn clip(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A body-sized text (description, resolution, article body) clipped to [`MAX_BODY_BYTES`].
pub fn body(text: &str) -> &str {
    clip(text, MAX_BODY_BYTES)
}

/// A title-sized text (subject, article title) clipped to [`MAX_TITLE_BYTES`].
pub fn title(text: &str) -> &str {
    clip(text, MAX_TITLE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_cut_on_a_char_boundary() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("abcdef", 3), "abc");
        // "é" is two bytes: a cut inside it steps back before it.
        assert_eq!(clip("aéb", 2), "a");
        assert_eq!(clip("aéb", 3), "aé");
        let long = "ü".repeat(MAX_BODY_BYTES);
        let cut = body(&long);
        assert!(cut.len() <= MAX_BODY_BYTES && cut.len() > MAX_BODY_BYTES - 4, "{}", cut.len());
        assert!(title(&long).len() <= MAX_TITLE_BYTES);
    }
}
