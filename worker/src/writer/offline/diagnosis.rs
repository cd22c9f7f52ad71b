//! What kind of problem a ticket describes, from cue words in its text, with the usual causes and the
//! first checks an agent would make. Used when no similar resolved ticket says more.

/// A kind of IT problem the offline writer recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// Words that identify it, matched in the lower-cased subject and description.
    cues: &'static [&'static str],
    /// Completes "From the wording, this looks like …".
    pub looks_like: &'static str,
    /// Completes "Common causes are …".
    pub causes: &'static str,
    pub steps: &'static [&'static str],
}

/// The kind with the most cues in the text wins; on a tie the earlier one, so more specific kinds come first
/// (a full mailbox before a full disk, a VPN login before an account lockout).
const KINDS: &[Kind] = &[
    Kind {
        cues: &["vpn", "globalprotect", "anyconnect", "remote access", "tunnel"],
        looks_like: "a VPN connection problem",
        causes: "an outdated VPN client, credentials saved in the client after a password change, or the \
                 user's home network dropping idle connections",
        steps: &[
            "Check the VPN client version and the gateway's log for this user's sessions around the reported times.",
            "Ask whether it also happens on another network (a phone hotspot) to separate the home network from the client.",
            "Clear the client's saved credentials and cached portal, reconnect, and upgrade the client if it is outdated.",
        ],
    },
    Kind {
        cues: &["mailbox", "quota", "outlook", "e-mail", "email"],
        looks_like: "a mailbox or Outlook problem",
        causes: "a full mailbox, a damaged local Outlook cache (OST) or profile, or a stuck send/receive",
        steps: &[
            "Compare Outlook on the web with the desktop client to see whether the mailbox or the client is at fault.",
            "Check the mailbox size against its quota and whether archiving is enabled.",
            "If only the desktop client is affected, rebuild the OST file or create a new Outlook profile.",
        ],
    },
    Kind {
        cues: &["certificate", "ssl", "tls", "err_cert", "not private"],
        looks_like: "an expired or untrusted certificate",
        causes: "a certificate past its expiry date, a missing intermediate certificate, or a name mismatch",
        steps: &[
            "Open the site and read the certificate's validity dates, issuer and chain.",
            "Renew or reissue the certificate and install it with the full chain where TLS terminates.",
            "Add the host to certificate expiry monitoring so the next renewal is not missed.",
        ],
    },
    Kind {
        cues: &["password", "locked", "lockout", "log in", "login", "sign in", "sign-in", "mfa", "authenticat"],
        looks_like: "an account or sign-in problem",
        causes: "an expired or forgotten password, a lockout from an old password saved on another device, or an \
                 MFA method that moved to a new phone",
        steps: &[
            "Verify the requester's identity before changing anything on the account.",
            "Check the account's lockout status and the source of recent failed sign-ins.",
            "Reset or unlock as needed, and remove old saved passwords from phones, mapped drives and Credential Manager.",
        ],
    },
    Kind {
        cues: &["printer", "print", "toner", "spooler"],
        looks_like: "a printer problem",
        causes: "a stuck print spooler, a printer whose address changed, or a worn toner cartridge or drum",
        steps: &[
            "Check the printer's status on the print server and whether jobs are waiting in its queue.",
            "Restart the Print Spooler service and clear stuck jobs; confirm the printer's IP address matches its port.",
            "For faded or streaky output, replace the toner and run the cleaning page.",
        ],
    },
    Kind {
        cues: &["disk", "space", "no space left", "partition", "drive full", "filesystem"],
        looks_like: "a disk space problem",
        causes: "logs or update files growing without rotation or clean-up",
        steps: &[
            "Find what grew: the largest folders on the full drive (du, TreeSize) and when it started.",
            "Remove or compress old logs and update files, and move logs to a data drive if they live on the system drive.",
            "Fix the log rotation or clean-up job so the alert does not come back.",
        ],
    },
    Kind {
        cues: &["unreachable", "ping", "outage", "timed out", "time out", "timeout", "network", "subnet", "switch"],
        looks_like: "a network reachability problem",
        causes: "a switch port or uplink that went down (err-disabled by loop protection), a routing change, or the \
                 host itself being down",
        steps: &[
            "Ping and traceroute the affected addresses to see where the path stops.",
            "Check the access and core switch interfaces on that path for err-disabled or down ports.",
            "Tell the owners of the affected assets (below) and record the affected range on this ticket.",
        ],
    },
];

/// The generic checks when the ticket matches no known kind.
pub const GENERIC_STEPS: &[&str] = &[
    "Confirm the scope with the requester: who is affected, since when, and what changed just before.",
    "Reproduce the problem or collect a screenshot or the exact error message.",
    "Check the affected system's recent changes and logs around the reported time.",
];

/// The kind of problem `text` describes, if cue words say so. Cues match at the start of a word
/// ("print" in "printer", not in "blueprint").
pub fn kind_of(text: &str) -> Option<&'static Kind> {
    let words: String =
        text.to_lowercase().chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { ' ' }).collect();
    let words = format!(" {} ", words.split_whitespace().collect::<Vec<_>>().join(" "));
    let hits =
        |kind: &Kind| kind.cues.iter().filter(|cue| words.contains(&format!(" {}", cue.replace('-', " ")))).count();
    let mut best: Option<(&'static Kind, usize)> = None;
    for kind in KINDS {
        let count = hits(kind);
        if count > 0 && best.is_none_or(|(_, most)| count > most) {
            best = Some((kind, count));
        }
    }
    best.map(|(kind, _)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cue_words_pick_the_most_specific_kind() {
        let looks = |text: &str| kind_of(text).map(|k| k.looks_like);
        assert_eq!(looks("VPN drops after a password change"), Some("a VPN connection problem"));
        assert_eq!(
            looks("Locked out: password and login rejected, also on VPN"),
            Some("an account or sign-in problem")
        );
        assert_eq!(looks("Mailbox full, cannot send"), Some("a mailbox or Outlook problem"));
        assert_eq!(looks("Server disk space low"), Some("a disk space problem"));
        assert_eq!(looks("Host 10.1.2.3 unreachable"), Some("a network reachability problem"));
        assert_eq!(looks("Request a second monitor"), None);
        assert_eq!(looks("Blueprint review"), None);
        assert_eq!(
            looks("Host unreachable, ping fails, see https://x.example/login"),
            Some("a network reachability problem")
        );
    }
}
