//! Which link targets a rendered note may carry. LLM output is hostile: a `javascript:` or `data:` link
//! in an internal note is one click away from running in an agent's session.

/// Schemes a ticket note has a legitimate use for.
const ALLOWED_SCHEMES: [&str; 6] = ["http", "https", "mailto", "tel", "ftp", "ftps"];

/// Whether `href` is an allowed absolute URL or a relative reference (no scheme at all).
///
/// Browsers drop ASCII tab and newline characters inside a URL and ignore leading control characters and
/// spaces, so `java\tscript:` is `javascript:`. The scheme is compared after the same clean-up.
pub(crate) fn is_safe(href: &str) -> bool {
    let cleaned: String = href
        .trim_start_matches(|c: char| c.is_ascii_control() || c == ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    // A ':' before any '/', '?' or '#' ends a scheme; without one the reference is relative.
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if cleaned[i..].starts_with(':') => {
            let scheme = &cleaned[..i];
            ALLOWED_SCHEMES.iter().any(|allowed| scheme.eq_ignore_ascii_case(allowed))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::is_safe;

    #[test]
    fn allows_web_mail_and_relative_links() {
        for ok in ["https://kb.example.com/42", "HTTP://x", "mailto:a@b.c", "/browse/IT-1", "#top", "a/b:c"] {
            assert!(is_safe(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_script_and_data_schemes_even_when_obfuscated() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:x",
            "data:text/html,<script>",
            "vbscript:x",
        ] {
            assert!(!is_safe(bad), "{bad:?}");
        }
    }
}
