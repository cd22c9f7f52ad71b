//! The registry and the credential check each plugin owns: every tool kind has its plugin, and each plugin
//! accepts its documented credential sets and refuses the rest, naming keys but never values.

use enhancer_plugins::{CredentialsError, Plugins};
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::Credentials;

#[test]
fn every_kind_has_its_plugin() {
    let plugins = Plugins;
    for kind in ToolKind::ALL {
        assert_eq!(plugins.get(kind).kind(), kind, "{kind}");
    }
    assert_eq!(plugins.all().count(), ToolKind::ALL.len());
}

fn check(kind: ToolKind, pairs: &[(&str, &str)]) -> Result<(), CredentialsError> {
    Plugins.get(kind).validate_credentials(&Credentials::from_pairs(pairs.iter().copied()))
}

#[test]
fn each_tool_accepts_its_documented_credentials() {
    let ok: [(ToolKind, &[(&str, &str)]); 12] = [
        (ToolKind::Jira, &[("email", "a@b.c"), ("api_token", "t")]),
        (ToolKind::Jira, &[("shared_secret", "s"), ("client_key", "k")]),
        (ToolKind::ServicedeskPlus, &[("authtoken", "t")]),
        (ToolKind::ServicedeskPlus, &[("oauth_token", "t")]),
        (ToolKind::Zendesk, &[("email", "a@b.c"), ("api_token", "t")]),
        (ToolKind::Zendesk, &[("oauth_token", "t")]),
        (ToolKind::Generic, &[]),
        (ToolKind::Generic, &[("callback_token", "t")]),
        (ToolKind::Freshservice, &[("api_key", "k")]),
        (ToolKind::ServiceNow, &[("username", "u"), ("password", "p")]),
        (ToolKind::ServiceNow, &[("client_id", "c"), ("client_secret", "s"), ("username", "u"), ("password", "p")]),
        (ToolKind::ServiceNow, &[("client_id", "c"), ("client_secret", "s"), ("refresh_token", "r")]),
    ];
    for (tool, pairs) in ok {
        assert_eq!(check(tool, pairs), Ok(()), "{tool} {pairs:?}");
    }
}

#[test]
fn missing_and_unknown_keys_are_named_without_values() {
    let message = check(ToolKind::Jira, &[("email", "secret-mail")]).expect_err("missing").to_string();
    assert!(message.contains("api_token") && !message.contains("secret-mail"), "{message}");

    let message = check(ToolKind::Jira, &[("email", "a"), ("api-token", "hunter2")]).expect_err("typo").to_string();
    assert!(message.contains("api-token") && !message.contains("hunter2"), "{message}");

    assert!(check(ToolKind::ServicedeskPlus, &[]).is_err());
    let message = check(ToolKind::Zendesk, &[("email", "a@b.c")]).expect_err("no token").to_string();
    assert!(message.contains("api_token") && message.contains("oauth_token"), "{message}");
    let message =
        check(ToolKind::Zendesk, &[("oauth_token", "t"), ("token", "zd-secret")]).expect_err("typo").to_string();
    assert!(message.contains("\"token\"") && !message.contains("zd-secret"), "{message}");
    assert!(check(ToolKind::Generic, &[("authtoken", "t")]).is_err());

    let message = check(ToolKind::Freshservice, &[]).expect_err("missing").to_string();
    assert!(message.contains("api_key"), "{message}");
    let message = check(ToolKind::Freshservice, &[("apikey", "fs-key")]).expect_err("typo").to_string();
    assert!(message.contains("apikey") && !message.contains("fs-key"), "{message}");
    assert!(check(ToolKind::Freshservice, &[("api_key", "k"), ("password", "X")]).is_err());
    assert!(check(ToolKind::ServiceNow, &[]).is_err());
    assert!(check(ToolKind::ServiceNow, &[("user", "u"), ("password", "p")]).is_err());
}

#[test]
fn servicenow_refuses_half_an_oauth_set() {
    // Basic credentials with a stray OAuth key would silently run on Basic auth.
    for pairs in [
        &[("username", "u"), ("password", "p"), ("client_id", "c")][..],
        &[("username", "u"), ("password", "p"), ("refresh_token", "hunter2")],
        &[("client_id", "c"), ("refresh_token", "hunter2")],
    ] {
        let message = check(ToolKind::ServiceNow, pairs).expect_err("half OAuth").to_string();
        assert!(message.contains("client_secret") && !message.contains("hunter2"), "{pairs:?}: {message}");
    }
}
