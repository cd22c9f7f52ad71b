//! Property tests: arbitrary strings and Markdown/HTML fragment soups through all three renderers.

use proptest::prelude::*;

use super::adf_validator::validate;
use super::html_scan::assert_inert;
use super::{to_adf, to_html, to_plain};

/// Pieces of Markdown and of hostile HTML that interact: block starts, emphasis delimiters, links,
/// tables, fences and tags with event handlers or script URLs.
const FRAGMENTS: &[&str] = &[
    "\n",
    "\n\n",
    "  \n",
    "    ",
    "\t",
    "# ",
    "###### ",
    "- ",
    "* ",
    "1. ",
    "7) ",
    "> ",
    "```",
    "```bash\n",
    "~~~",
    "---\n",
    "***",
    "**",
    "*",
    "_",
    "__",
    "~~",
    "`",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "[x](https://a.example/p)",
    "[y](javascript:alert(1))",
    "<https://a.example>",
    "<a@b.example>",
    "| a | b |\n",
    "|---|---|\n",
    "| c |",
    "<br>",
    "<script>",
    "</script>",
    "alert(1)",
    "<img src=x onerror=alert(1)>",
    "<a href=\"x\" onclick=\"y\">",
    "</a>",
    "<div>",
    "</div>",
    "<svg onload=alert(1)>",
    "<!--",
    "-->",
    "<ScRiPt>",
    "&lt;",
    "&amp;",
    "&#x3C;",
    "javascript:",
    "onerror=",
    "\\",
    "<",
    ">",
    "\"",
    "'",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => "[a-zA-Z0-9 ]{1,8}",
    ]
}

fn input() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), prop::collection::vec(fragment(), 0..48).prop_map(|parts| parts.concat()),]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn html_is_always_inert(markdown in input()) {
        assert_inert(&to_html(&markdown));
    }

    #[test]
    fn adf_is_always_structurally_valid(markdown in input()) {
        let adf = to_adf(&markdown);
        prop_assert_eq!(validate(&adf), Ok(()), "{}", adf);
    }

    #[test]
    fn plain_text_never_panics(markdown in input()) {
        to_plain(&markdown);
    }

    /// Words wrapped in balanced emphasis, strike or code come out as the bare words.
    #[test]
    fn plain_text_strips_emphasis_syntax(words in prop::collection::vec(("[a-z]{1,8}", 0..5_usize), 1..12)) {
        let wrap = ["", "**", "*", "~~", "`"];
        let markdown: Vec<String> = words.iter().map(|(w, style)| format!("{0}{w}{0}", wrap[*style])).collect();
        let expected: Vec<&str> = words.iter().map(|(w, _)| w.as_str()).collect();
        prop_assert_eq!(to_plain(&markdown.join(" ")), expected.join(" "));
    }
}
