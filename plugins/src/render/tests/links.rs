//! The link policy through every renderer: a link stays clickable only when its URL is allowed (from the
//! enhancement's context or the tenant's own host); every other URL is shown as text.

use serde_json::Value;

use crate::render::{AllowedLinks, to_adf, to_html, to_plain};

const PHISH: &str = "Reset your VPN password [here](https://vpn-reset.evil.example/login).";

fn link_marks(adf: &Value) -> Vec<String> {
    let mut hrefs = Vec::new();
    collect(adf, &mut hrefs);
    hrefs
}

fn collect(node: &Value, hrefs: &mut Vec<String>) {
    match node {
        Value::Object(fields) => {
            if fields.get("type").and_then(Value::as_str) == Some("link") {
                hrefs.extend(fields["attrs"]["href"].as_str().map(str::to_owned));
            }
            fields.values().for_each(|value| collect(value, hrefs));
        }
        Value::Array(items) => items.iter().for_each(|item| collect(item, hrefs)),
        _ => {}
    }
}

#[test]
fn a_link_outside_the_context_is_text_in_every_format() {
    let kb = AllowedLinks::new(["https://kb.example.com/articles/42"]);
    for allowed in [AllowedLinks::none(), kb] {
        let html = to_html(PHISH, &allowed);
        assert!(!html.contains("<a"), "{html}");
        assert!(html.contains("here (https://vpn-reset.evil.example/login)"), "{html}");
        let adf = to_adf(PHISH, &allowed);
        assert!(link_marks(&adf).is_empty(), "{adf}");
        assert!(adf.to_string().contains("here (https://vpn-reset.evil.example/login)"), "{adf}");
        assert_eq!(to_plain(PHISH, &allowed), "Reset your VPN password here (https://vpn-reset.evil.example/login).");
    }
}

#[test]
fn a_link_from_the_context_stays_a_link() {
    let markdown =
        "See [KB-42](https://kb.example.com/articles/42) and [the ticket](https://acme.zendesk.com/agent/tickets/7).";
    let allowed = AllowedLinks::new(["https://kb.example.com/articles/42", "https://acme.zendesk.com/"]);
    let html = to_html(markdown, &allowed);
    assert!(html.contains(r#"<a href="https://kb.example.com/articles/42""#), "{html}");
    assert!(html.contains(r#"<a href="https://acme.zendesk.com/agent/tickets/7""#), "{html}");
    assert_eq!(
        link_marks(&to_adf(markdown, &allowed)),
        ["https://kb.example.com/articles/42", "https://acme.zendesk.com/agent/tickets/7"]
    );
    // Another article on the same KB host is not in the context.
    let other = to_html("[KB-43](https://kb.example.com/articles/43)", &allowed);
    assert!(!other.contains("<a"), "{other}");
}

#[test]
fn autolinks_images_and_mail_addresses_become_plain_text_once() {
    let none = AllowedLinks::none();
    let html = to_html(
        "<https://evil.example/x> ![shot](https://evil.example/p.png) ![](https://evil.example/q.png) <ops@evil.example>",
        &none,
    );
    assert!(!html.contains("<a"), "{html}");
    assert_eq!(html.matches("https://evil.example/x").count(), 1, "{html}");
    assert!(html.contains("shot (https://evil.example/p.png)"), "{html}");
    assert!(html.contains("https://evil.example/q.png"), "{html}");
    assert_eq!(html.matches("ops@evil.example").count(), 1, "{html}");
}

#[test]
fn dangerous_schemes_are_dropped_not_shown() {
    let none = AllowedLinks::none();
    assert_eq!(to_plain("[x](javascript:alert(1))", &none), "x");
    assert!(!to_html("[x](javascript:alert(1))", &none).contains("javascript"));
}

#[test]
fn html_links_are_limited_to_http_https_and_mailto() {
    // Even with every safe target kept, ammonia's wider default list (tel:, ftp:, ssh:, magnet:) is cut.
    let any = AllowedLinks::any_safe();
    for markdown in ["[call](tel:+123)", "[get](ftp://files.example/x)", "[m](magnet:?xt=urn:x)", "[s](ssh://h)"] {
        let html = to_html(markdown, &any);
        assert!(!html.contains("href"), "{markdown}: {html}");
    }
    assert!(to_html("[mail](mailto:ops@example.com)", &any).contains(r#"href="mailto:ops@example.com""#));
}
