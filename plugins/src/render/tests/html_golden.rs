//! Golden HTML output per Markdown construct, after sanitizing.

use super::to_html;

#[test]
fn headings_and_paragraphs() {
    assert_eq!(to_html("## Summary\n\nText here."), "<h2>Summary</h2>\n<p>Text here.</p>\n");
}

#[test]
fn emphasis_strike_and_inline_code() {
    assert_eq!(
        to_html("**b** *i* ~~s~~ `c<d>`"),
        "<p><strong>b</strong> <em>i</em> <del>s</del> <code>c&lt;d&gt;</code></p>\n"
    );
}

#[test]
fn links_keep_href_and_get_noopener() {
    assert_eq!(
        to_html("[KB-42](https://kb.example.com/42 \"KB\") <ops@example.com>"),
        "<p><a href=\"https://kb.example.com/42\" title=\"KB\" rel=\"noopener noreferrer\">KB-42</a> \
         <a href=\"mailto:ops@example.com\" rel=\"noopener noreferrer\">ops@example.com</a></p>\n"
    );
}

#[test]
fn images_become_links_to_the_image() {
    assert_eq!(
        to_html("![diagram](https://x.example/d.png) ![](https://x.example/e.png)"),
        "<p><a href=\"https://x.example/d.png\" rel=\"noopener noreferrer\">diagram</a> \
         <a href=\"https://x.example/e.png\" rel=\"noopener noreferrer\">https://x.example/e.png</a></p>\n"
    );
}

#[test]
fn image_inside_a_link_keeps_only_its_alt_text() {
    assert_eq!(
        to_html("[![build](https://ci.example/b.svg)](https://ci.example/7)"),
        "<p><a href=\"https://ci.example/7\" rel=\"noopener noreferrer\">build</a></p>\n"
    );
}

#[test]
fn lists_nest_and_ordered_lists_keep_their_start() {
    assert_eq!(
        to_html("3. three\n   - sub\n4. four"),
        "<ol start=\"3\">\n<li>three\n<ul>\n<li>sub</li>\n</ul>\n</li>\n<li>four</li>\n</ol>\n"
    );
}

#[test]
fn code_block_is_escaped_and_verbatim() {
    assert_eq!(
        to_html("```bash\necho \"<b>\" && rm -rf /tmp/x\n```"),
        "<pre><code>echo \"&lt;b&gt;\" &amp;&amp; rm -rf /tmp/x\n</code></pre>\n"
    );
}

#[test]
fn blockquote_and_rule() {
    assert_eq!(to_html("> quoted\n\n---"), "<blockquote>\n<p>quoted</p>\n</blockquote>\n<hr>\n");
}

#[test]
fn tables_render_without_inline_styles() {
    assert_eq!(
        to_html("| a | b |\n|:-|-:|\n| 1 | 2 |"),
        "<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n<tr><td>1</td><td>2</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn line_break_tag_is_the_only_raw_html_honoured() {
    assert_eq!(to_html("one<br/>two <b>x</b>"), "<p>one<br>\ntwo &lt;b&gt;x&lt;/b&gt;</p>\n");
}

#[test]
fn html_block_is_shown_as_literal_lines() {
    assert_eq!(
        to_html("<div class=\"x\">\nhello\n</div>"),
        "<p>&lt;div class=\"x\"&gt;<br>\nhello<br>\n&lt;/div&gt;</p>\n"
    );
}
