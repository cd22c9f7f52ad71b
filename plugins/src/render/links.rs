//! [`AllowedLinks`]: which link targets a note may keep as links. The note is LLM output about a ticket the
//! requester wrote, so ticket text can steer the model into adding a link ("reset your VPN password here")
//! that agents would trust in an internal note. A link therefore stays clickable only if the worker found
//! its URL in the enhancement's context (a KB article, a similar ticket, the ticket itself) or it points at
//! the tenant's own tool; every other link is shown as text, `label (url)`, in every format.
//!
//! [`defuse_links`] applies the policy to the Markdown events every renderer reads, so HTML, ADF and plain
//! text agree.

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use url::Url;

use super::href;

/// Schemes a kept link may have (ammonia is configured with the same list).
pub(crate) const LINK_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The URLs a note may link to. Built from `Note::allowed_links`: each entry is an absolute URL; an entry
/// with an empty path (or just `/`), no query and no fragment allows every URL of that origin (the
/// tenant's own host), any other entry allows exactly that URL (its fragment ignored).
#[derive(Debug, Clone, Default)]
pub struct AllowedLinks {
    exact: Vec<Url>,
    origins: Vec<url::Origin>,
    /// Test-only: every target [`href::is_safe`] accepts (the renderers' behaviour before this policy), so
    /// the golden tests keep describing Markdown constructs rather than the policy.
    #[cfg(test)]
    any_safe: bool,
}

impl AllowedLinks {
    /// No link stays a link: every URL is shown as text.
    pub fn none() -> Self {
        Self::default()
    }

    /// The policy for `entries` (`Note::allowed_links`). Entries that are not absolute http(s) or mailto
    /// URLs are ignored.
    pub fn new<S: AsRef<str>>(entries: impl IntoIterator<Item = S>) -> Self {
        let mut allowed = Self::default();
        for entry in entries {
            let Ok(mut url) = Url::parse(entry.as_ref().trim()) else { continue };
            if !LINK_SCHEMES.contains(&url.scheme()) {
                continue;
            }
            let whole_origin =
                url.has_host() && matches!(url.path(), "" | "/") && url.query().is_none() && url.fragment().is_none();
            if whole_origin {
                allowed.origins.push(url.origin());
            } else {
                url.set_fragment(None);
                allowed.exact.push(url);
            }
        }
        allowed
    }

    /// The policy a note carries (`Note::allowed_links`).
    pub fn of(note: &enhancer_shared::domain::Note) -> Self {
        Self::new(&note.allowed_links)
    }

    #[cfg(test)]
    pub(crate) fn any_safe() -> Self {
        Self { any_safe: true, ..Self::default() }
    }

    /// Whether `href` may stay a link.
    pub fn permits(&self, href: &str) -> bool {
        #[cfg(test)]
        if self.any_safe {
            return href::is_safe(href);
        }
        // The same clean-up browsers apply (see `href::is_safe`), then an absolute URL only: a relative
        // (`//evil.example/x` included) resolves against whatever page shows the note.
        let cleaned: String = href
            .trim_start_matches(|c: char| c.is_ascii_control() || c == ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        let Ok(mut url) = Url::parse(&cleaned) else { return false };
        if !LINK_SCHEMES.contains(&url.scheme()) {
            return false;
        }
        url.set_fragment(None);
        (url.has_host() && self.origins.contains(&url.origin())) || self.exact.contains(&url)
    }
}

/// Rewrites the links and images of an event stream: a permitted one is kept; any other loses its start
/// and end, keeps its label (or alt text), and is followed by its URL as text, ` (url)` (the URL alone for
/// an empty label, nothing when the label already is the URL). A target with a dangerous scheme
/// (`javascript:`, `data:`) is not shown at all: it has no reader.
#[derive(Debug)]
pub(crate) struct LinkDefuser<'p> {
    allowed: &'p AllowedLinks,
    /// One entry per open link or image: `None` when kept, else the URL to show and the label so far.
    open: Vec<Option<Defused>>,
}

#[derive(Debug)]
struct Defused {
    shown: Option<String>,
    label: String,
}

impl<'p> LinkDefuser<'p> {
    pub(crate) fn new(allowed: &'p AllowedLinks) -> Self {
        Self { allowed, open: Vec::new() }
    }

    pub(crate) fn rewrite<'a>(&mut self, event: Event<'a>) -> Vec<Event<'a>> {
        match event {
            Event::Start(Tag::Link { link_type, ref dest_url, .. } | Tag::Image { link_type, ref dest_url, .. }) => {
                let href = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                if self.allowed.permits(&href) {
                    self.open.push(None);
                    return vec![event];
                }
                let shown = href::is_safe(&href).then(|| dest_url.to_string());
                self.open.push(Some(Defused { shown, label: String::new() }));
                Vec::new()
            }
            Event::End(TagEnd::Link | TagEnd::Image) => match self.open.pop() {
                Some(Some(defused)) => defused.tail().into_iter().collect(),
                _ => vec![event],
            },
            Event::Text(ref text) | Event::Code(ref text) => {
                if let Some(Some(defused)) = self.open.last_mut() {
                    defused.label.push_str(text);
                }
                vec![event]
            }
            other => vec![other],
        }
    }
}

impl Defused {
    fn tail<'a>(self) -> Option<Event<'a>> {
        let url = self.shown?;
        let label = self.label.trim();
        if label.is_empty() {
            Some(Event::Text(CowStr::from(url)))
        } else if label == url || Some(label) == url.strip_prefix("mailto:") {
            None
        } else {
            Some(Event::Text(CowStr::from(format!(" ({url})"))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AllowedLinks;

    #[test]
    fn exact_urls_and_whole_origins() {
        let allowed = AllowedLinks::new([
            "https://kb.example.com/articles/42",
            "https://acme.zendesk.com",
            "not a url",
            "javascript:alert(1)",
        ]);
        assert!(allowed.permits("https://kb.example.com/articles/42"));
        assert!(allowed.permits("https://kb.example.com/articles/42#steps"));
        assert!(!allowed.permits("https://kb.example.com/articles/43"));
        assert!(!allowed.permits("https://kb.example.com/articles/42?next=https://evil.example"));
        assert!(allowed.permits("https://acme.zendesk.com/agent/tickets/7"));
        assert!(allowed.permits("HTTPS://ACME.zendesk.com/x"));
        assert!(!allowed.permits("http://acme.zendesk.com/x"), "another scheme is another origin");
        assert!(!allowed.permits("https://acme.zendesk.com.evil.example/x"));
        assert!(!allowed.permits("https://acme.zendesk.com@evil.example/x"));
        assert!(!allowed.permits("//acme.zendesk.com/x"), "relative");
        assert!(!allowed.permits("/agent/tickets/7"), "relative");
        assert!(!allowed.permits("javascript:alert(1)"));
    }

    #[test]
    fn nothing_is_permitted_by_default() {
        assert!(!AllowedLinks::none().permits("https://kb.example.com/articles/42"));
        assert!(!AllowedLinks::new(Vec::<String>::new()).permits("mailto:ops@example.com"));
    }
}
