//! What a note says where its context found nothing: the similar-ticket and knowledge-base sections say so
//! in one fixed sentence, whichever writer wrote the note. After the relevance cut-offs
//! ([`crate::corpus::search::relevance`]) an empty section is a finding ("nothing in the knowledge base
//! answers this"), not a gap to be padded with an unrelated article or silently left out.
//!
//! The offline writer prints the sentences itself; the LLM is told to (`prompt.rs`), and [`fill`] makes it
//! so whatever the model answered: a model given no article may still invent one, or drop the heading.

use crate::context::TicketContext;

/// The "Similar tickets" section when no past ticket passed the cut-offs.
pub const NO_SIMILAR_TICKET: &str = "No similar past ticket found.";
/// The "Knowledge base" section when no article passed the cut-offs.
pub const NO_ARTICLE: &str = "No related article found.";

/// The sections that come from the ranked context, with the sentence each gets when it is empty.
fn empty_sections(context: &TicketContext) -> Vec<(&'static str, &'static str)> {
    let mut sections = Vec::new();
    if context.similar_tickets.is_empty() {
        sections.push(("Similar tickets", NO_SIMILAR_TICKET));
    }
    if context.kb_articles.is_empty() {
        sections.push(("Knowledge base", NO_ARTICLE));
    }
    sections
}

/// `markdown` (a note in `## ` sections) with every section the context left empty holding exactly its
/// sentence: the section's own text is replaced (a model may list what it was not given), and a missing
/// section is added at the end. A context with both lists filled leaves the note as it is.
pub fn fill(markdown: &str, context: &TicketContext) -> String {
    let sections = empty_sections(context);
    if sections.is_empty() {
        return markdown.to_owned();
    }
    let mut note = markdown.trim_end().to_owned();
    for (heading, sentence) in sections {
        let title = format!("## {heading}");
        let lines: Vec<&str> = note.lines().collect();
        let start = lines.iter().position(|line| line.trim_end().eq_ignore_ascii_case(&title));
        note = match start {
            Some(start) => {
                let end =
                    lines[start + 1..].iter().position(|l| l.starts_with("## ")).map_or(lines.len(), |i| start + 1 + i);
                let mut out: Vec<String> = lines[..=start].iter().map(|l| (*l).to_owned()).collect();
                out.extend([String::new(), sentence.to_owned(), String::new()]);
                out.extend(lines[end..].iter().map(|l| (*l).to_owned()));
                out.join("\n").trim_end().to_owned()
            }
            None => format!("{note}\n\n{title}\n\n{sentence}"),
        };
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::KbArticle;

    const NOTE: &str = "## Summary\n\nDisk full.\n\n## Similar tickets\n\n- T-1 Disk full\n\n## Knowledge base\n\n\
                        - [Booking meeting rooms and desks](https://kb.example.com/1)\n\n## Related assets\n\nNone.\n";

    fn article() -> KbArticle {
        KbArticle { article_id: "1".into(), title: "t".into(), url: None, excerpt: String::new(), score: 0.5 }
    }

    #[test]
    fn an_empty_section_says_so_whatever_the_model_wrote() {
        let context = TicketContext { kb_articles: Vec::new(), ..TicketContext::default() };
        let note = fill(NOTE, &context);
        assert!(!note.contains("Booking"), "{note}");
        assert!(note.contains("## Knowledge base\n\nNo related article found.\n\n## Related assets"), "{note}");
        assert!(note.contains("## Similar tickets\n\nNo similar past ticket found.\n\n## Knowledge base"), "{note}");
        assert!(note.starts_with("## Summary\n\nDisk full."));
    }

    #[test]
    fn a_section_with_context_is_left_as_written_and_a_missing_empty_one_is_added() {
        let context =
            TicketContext { similar_tickets: Vec::new(), kb_articles: vec![article()], ..TicketContext::default() };
        let note = fill("## Summary\n\nx\n\n## Knowledge base\n\n- Booking", &context);
        assert_eq!(
            note,
            "## Summary\n\nx\n\n## Knowledge base\n\n- Booking\n\n## Similar tickets\n\nNo similar past ticket found."
        );
        let last = fill("## Summary\nx\n## Knowledge base\n- invented", &TicketContext::default());
        assert!(
            last.ends_with(
                "## Knowledge base\n\nNo related article found.\n\n## Similar tickets\n\nNo similar past ticket found."
            ) && !last.contains("invented"),
            "{last}"
        );
    }
}
