//! Golden plain-text output per Markdown construct.

use super::to_plain;

#[test]
fn empty_input_is_empty_text() {
    assert_eq!(to_plain(""), "");
}

#[test]
fn headings_sit_on_their_own_lines() {
    assert_eq!(to_plain("# Title\nbody text\n## Next"), "Title\n\nbody text\n\nNext");
}

#[test]
fn emphasis_leaves_no_syntax_behind() {
    assert_eq!(to_plain("**bold** *it* __b2__ _i2_ ~~gone~~ `code`"), "bold it b2 i2 gone code");
}

#[test]
fn links_show_text_then_url() {
    assert_eq!(
        to_plain("See [KB-42](https://kb.example.com/42), <https://status.example.com> and <ops@example.com>."),
        "See KB-42 (https://kb.example.com/42), https://status.example.com and ops@example.com."
    );
}

#[test]
fn unsafe_links_and_images() {
    assert_eq!(
        to_plain("[x](javascript:alert(1)) ![screen](https://x.example/s.png)"),
        "x screen (https://x.example/s.png)"
    );
}

#[test]
fn soft_and_hard_breaks_keep_lines() {
    assert_eq!(to_plain("one\ntwo  \nthree"), "one\ntwo\nthree");
}

#[test]
fn bullet_and_ordered_lists_with_nesting() {
    assert_eq!(
        to_plain("- a\n  - b\n    - c\n- d\n\n9. nine\n10. ten\n    1. sub"),
        "- a\n  - b\n    - c\n- d\n\n9. nine\n10. ten\n    1. sub"
    );
}

#[test]
fn loose_list_item_paragraphs_stay_indented() {
    assert_eq!(to_plain("1. first\n\n   more\n2. second"), "1. first\n   more\n2. second");
}

#[test]
fn code_blocks_are_verbatim() {
    assert_eq!(
        to_plain("Run:\n\n```bash\nif [ -f x ]; then\n  echo **ok**\nfi\n```\n\nDone."),
        "Run:\n\nif [ -f x ]; then\n  echo **ok**\nfi\n\nDone."
    );
}

#[test]
fn code_block_in_a_list_is_indented_under_the_item() {
    assert_eq!(to_plain("1. Run\n\n   ```\n   a\n     b\n   ```"), "1. Run\n   a\n     b");
}

#[test]
fn blockquotes_are_prefixed() {
    assert_eq!(to_plain("> first\n>\n> second"), "> first\n>\n> second");
}

#[test]
fn rule_is_a_line_of_dashes() {
    assert_eq!(to_plain("a\n\n***\n\nb"), "a\n\n----\n\nb");
}

#[test]
fn tables_are_padded_columns() {
    assert_eq!(
        to_plain("| Check | Result |\n|---|---|\n| DNS | **ok**<br>cached |\n| Disk |"),
        "Check | Result\n------+----------\nDNS   | ok cached\nDisk"
    );
}

#[test]
fn raw_html_is_literal() {
    assert_eq!(
        to_plain("press <kbd>Ctrl</kbd>\n\n<div>\nblock\n</div>"),
        "press <kbd>Ctrl</kbd>\n\n<div>\nblock\n</div>"
    );
}
