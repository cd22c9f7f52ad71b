//! Light clean-up of the model's answer: the note starts at the first section heading. Models wrap their
//! answer in a code fence, open with "Sure, here is the note:" or emit a reasoning block first; all of that
//! goes. The Markdown itself is sanitized later by the renderers, so nothing here is a security measure.

/// The answer from its first `## ` heading on, without a surrounding code fence. An answer without any
/// heading is kept whole (trimmed): a note without sections is still worth more than a failed job.
pub fn tidy(answer: &str) -> String {
    let mut text = answer.trim();
    if text.starts_with("```") {
        // The opening fence line (```markdown) and the closing fence, if there is one.
        text = text.split_once('\n').map_or("", |(_, rest)| rest).trim_end();
        text = text.strip_suffix("```").unwrap_or(text).trim();
    }
    let start = if text.starts_with("## ") { Some(0) } else { text.find("\n## ").map(|at| at + 1) };
    start.map_or(text, |at| &text[at..]).trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatter_before_the_first_section_goes() {
        assert_eq!(tidy("Sure! Here is the note:\n\n## Summary\nVPN.\n"), "## Summary\nVPN.");
        assert_eq!(tidy("<think>hmm\n</think>\n## Summary\nx"), "## Summary\nx");
        assert_eq!(tidy("```markdown\n## Summary\nx\n```"), "## Summary\nx");
    }

    #[test]
    fn answers_without_sections_are_kept() {
        assert_eq!(tidy("  just text\n"), "just text");
        assert_eq!(tidy("### Deeper\n## Summary"), "## Summary");
        assert_eq!(tidy("```\n```"), "");
    }
}
