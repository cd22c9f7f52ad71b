//! The LLM writer against wiremock as an OpenAI-compatible server: what it sends, what it records, how each
//! failure is classified, that an odd but usable answer is accepted, and that one write is one HTTP call.

use std::time::{Duration, Instant};

use enhancer_shared::domain::{Priority, Ticket, TicketId};
use enhancer_shared::error::Disposition;
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::TestDb;
use enhancer_worker::context::{KbArticle, SimilarTicket, TicketContext};
use enhancer_worker::run::build;
use enhancer_worker::stages::Stage;
use enhancer_worker::writer::Writer;
use enhancer_worker::writer::llm::{ClientSettings, LlmOptions, OpenAiWriter};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const NOTE: &str = "## Summary\nVPN drops.\n\n## Likely cause\nDPD timeout.\n\n\
                    ## Suggested next steps\n1. Raise it.\n\n## Similar tickets\n- T-7\n\n\
                    ## Knowledge base\nNone found.\n\n## Related assets\nNone found.";

fn ticket() -> Ticket {
    Ticket {
        id: TicketId::parse("T-42").expect("id"),
        subject: "VPN drops every ten minutes".into(),
        description: "Since this morning the VPN disconnects. Contact jane.doe@example.com or +49 30 1234567.".into(),
        status: Some("open".into()),
        priority: Priority::default(),
        requester: Some("jane.doe@example.com".into()),
        created_at: None,
        updated_at: None,
        url: None,
        resolution: None,
    }
}

fn context() -> TicketContext {
    TicketContext {
        similar_tickets: vec![SimilarTicket {
            ticket_id: "T-7".into(),
            subject: "VPN unstable".into(),
            resolution: Some("Raised the DPD timeout to 300 s.".into()),
            status: Some("resolved".into()),
            url: None,
            score: 0.8,
        }],
        kb_articles: vec![KbArticle {
            article_id: "KB-1".into(),
            title: "VPN troubleshooting".into(),
            url: Some("https://kb.example/vpn".into()),
            excerpt: "Check dead peer detection.".into(),
            score: 1.0,
        }],
        ..TicketContext::default()
    }
}

fn options() -> LlmOptions {
    LlmOptions { model: "gpt-test".into(), temperature: 0.3, max_tokens: 1024, instructions: None, redact_pii: false }
}

fn writer_with(server: &MockServer, timeout: Duration, options: LlmOptions) -> OpenAiWriter {
    let settings = ClientSettings {
        base_url: format!("{}/v1", server.uri()),
        api_key: Some(SecretString::from("sk-test")),
        connect_timeout: Duration::from_secs(2),
        timeout,
        // wiremock listens on loopback.
        allow_private_base_url: true,
    };
    OpenAiWriter::new(&settings, options).expect("writer builds")
}

fn writer(server: &MockServer) -> OpenAiWriter {
    writer_with(server, Duration::from_secs(10), options())
}

fn completion(content: &str) -> Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-test-2026-01-01",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 321, "completion_tokens": 54, "total_tokens": 375}
    })
}

async fn answer(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(response).mount(server).await;
}

async fn sent_bodies(server: &MockServer) -> Vec<Value> {
    let requests = server.received_requests().await.expect("recording is on");
    requests.iter().map(|r| serde_json::from_slice(&r.body).expect("JSON body")).collect()
}

#[tokio::test]
async fn sends_the_delimited_ticket_and_records_model_and_usage() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(json!({"model": "gpt-test", "temperature": 0.3, "max_tokens": 1024, "stream": false})))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(&format!("Sure! Here it is:\n\n{NOTE}"))))
        .expect(1)
        .mount(&server)
        .await;

    let enhancement = writer(&server).write(&ticket(), &context(), &TenantSettings::default()).await.expect("written");

    assert_eq!(enhancement.markdown, NOTE, "chatter before the first section is dropped");
    assert_eq!(enhancement.model, "gpt-test-2026-01-01", "the model the server reports");
    assert_eq!((enhancement.prompt_tokens, enhancement.completion_tokens), (Some(321), Some(54)));
    let body = &sent_bodies(&server).await[0];
    let messages = body["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["role"], "system");
    assert!(messages[0]["content"].as_str().expect("text").contains("## Suggested next steps"));
    assert_eq!(messages[1]["role"], "user");
    let user = messages[1]["content"].as_str().expect("text");
    let ticket_block = &user[user.find("<ticket>").expect("open")..user.find("</ticket>").expect("close")];
    assert!(ticket_block.contains("Subject: VPN drops every ten minutes"), "{user}");
    let context_block = &user[user.find("<context>").expect("open")..user.find("</context>").expect("close")];
    assert!(context_block.contains("[T-7] VPN unstable") && context_block.contains("https://kb.example/vpn"));
    assert!(user.contains("untrusted data"));
    assert!(user.contains("jane.doe@example.com"), "no redaction unless asked");
}

#[tokio::test]
async fn rate_limit_is_transient_with_the_servers_retry_after() {
    let server = MockServer::start().await;
    let limited = ResponseTemplate::new(429).insert_header("retry-after", "17").set_body_json(
        json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}}),
    );
    answer(&server, limited).await;

    let err = writer(&server).write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("429");

    assert_eq!(err.stage, Stage::Synthesize);
    assert_eq!(err.disposition, Disposition::Transient { retry_after: Some(Duration::from_secs(17)) });
    assert!(err.message.contains("429") && err.message.contains("Rate limit reached"), "{}", err.message);
    assert_eq!(sent_bodies(&server).await.len(), 1, "no hidden retries");
}

#[tokio::test]
async fn client_errors_are_permanent() {
    for status in [400, 401, 404] {
        let server = MockServer::start().await;
        let body = json!({"error": {"message": "model `gpt-test` does not exist", "type": "invalid_request_error"}});
        answer(&server, ResponseTemplate::new(status).set_body_json(body)).await;

        let err = writer(&server).write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("4xx");

        assert_eq!(err.disposition, Disposition::Permanent, "{status}");
        assert_eq!(err.stage, Stage::Synthesize);
        assert!(err.message.contains(&status.to_string()), "{}", err.message);
        assert!(!err.message.contains("sk-test"), "the key never appears in errors");
    }
}

#[tokio::test]
async fn server_error_is_transient_after_exactly_one_call() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .expect(1)
        .mount(&server)
        .await;

    let err = writer(&server).write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("500");

    assert_eq!(err.disposition, Disposition::TRANSIENT);
    assert!(err.message.contains("500") && err.message.contains("upstream exploded"), "{}", err.message);
    assert_eq!(server.received_requests().await.expect("recording").len(), 1, "the queue owns retries");
}

#[tokio::test]
async fn a_slow_server_times_out_as_transient() {
    let server = MockServer::start().await;
    answer(&server, ResponseTemplate::new(200).set_body_json(completion(NOTE)).set_delay(Duration::from_secs(5))).await;
    let writer = writer_with(&server, Duration::from_millis(300), options());

    let started = Instant::now();
    let err = writer.write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("timeout");

    assert!(started.elapsed() < Duration::from_secs(3), "gave up at the client's timeout: {:?}", started.elapsed());
    assert_eq!(err.disposition, Disposition::TRANSIENT);
    assert!(err.message.contains("timed out"), "{}", err.message);
    assert_eq!(server.received_requests().await.expect("recording").len(), 1);
}

#[tokio::test]
async fn an_unreachable_server_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let settings = ClientSettings {
        base_url: format!("http://{address}/v1"),
        api_key: None,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        allow_private_base_url: true,
    };
    let writer = OpenAiWriter::new(&settings, options()).expect("writer builds");

    let err = writer.write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("refused");

    assert_eq!(err.disposition, Disposition::TRANSIENT, "{}", err.message);
}

#[tokio::test]
async fn a_lenient_answer_with_empty_finish_reason_and_missing_fields_is_accepted() {
    let server = MockServer::start().await;
    // What some "OpenAI-compatible" servers send: `finish_reason: ""`, no `object`, `model`, `created` or
    // `usage`, and fields nobody asked for.
    let odd = json!({
        "id": "1",
        "choices": [{
            "message": {"role": "assistant", "content": NOTE, "reasoning_content": null},
            "finish_reason": ""
        }],
        "timings": {"predicted_ms": 12.5},
        "system_fingerprint": null
    });
    answer(&server, ResponseTemplate::new(200).set_body_json(odd)).await;

    let enhancement = writer(&server).write(&ticket(), &context(), &TenantSettings::default()).await.expect("parsed");

    assert_eq!(enhancement.markdown, NOTE);
    assert_eq!(enhancement.model, "gpt-test", "falls back to the configured model");
    assert_eq!((enhancement.prompt_tokens, enhancement.completion_tokens), (None, None));
}

#[tokio::test]
async fn an_answer_without_text_is_transient() {
    let server = MockServer::start().await;
    let empty = json!({"choices": [{"message": {"role": "assistant", "content": null}, "finish_reason": "length"}]});
    answer(&server, ResponseTemplate::new(200).set_body_json(empty)).await;

    let err = writer(&server).write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("no text");

    assert_eq!(err.disposition, Disposition::TRANSIENT);
    assert!(err.message.contains("no text"), "{}", err.message);
}

#[tokio::test]
async fn redaction_keeps_contacts_out_of_the_request_and_puts_them_back_in_the_note() {
    let server = MockServer::start().await;
    let reply = "## Summary\nReported by [EMAIL_1], reachable at [PHONE_1].";
    answer(&server, ResponseTemplate::new(200).set_body_json(completion(reply))).await;
    let writer = writer_with(&server, Duration::from_secs(10), LlmOptions { redact_pii: true, ..options() });

    let enhancement = writer.write(&ticket(), &context(), &TenantSettings::default()).await.expect("written");

    let sent = sent_bodies(&server).await[0].to_string();
    assert!(!sent.contains("jane.doe@example.com") && !sent.contains("1234567"), "{sent}");
    assert!(sent.contains("[EMAIL_1]") && sent.contains("[PHONE_1]"));
    assert_eq!(enhancement.markdown, "## Summary\nReported by jane.doe@example.com, reachable at +49 30 1234567.");
}

#[tokio::test]
async fn the_worker_built_with_provider_openai_writes_through_the_configured_server() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-from-config"))
        .and(body_partial_json(json!({"model": "llama3.1", "temperature": 0.3})))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(NOTE)))
        .expect(1)
        .mount(&server)
        .await;
    let db = TestDb::migrated().await;
    let base_url = format!("{}/v1", server.uri());
    let config = db.config_with(&[
        ("ENHANCER_LLM__PROVIDER", "openai"),
        ("ENHANCER_LLM__BASE_URL", &base_url),
        ("ENHANCER_LLM__MODEL", "llama3.1"),
        ("ENHANCER_LLM__API_KEY", "sk-from-config"),
        // wiremock listens on loopback.
        ("ENHANCER_LLM__ALLOW_PRIVATE_BASE_URL", "true"),
    ]);

    let worker = build(&config).await.expect("worker builds");
    let enhancement =
        worker.ctx.writer.write(&ticket(), &context(), &TenantSettings::default()).await.expect("written");

    assert_eq!(enhancement.markdown, NOTE);
    assert_eq!(enhancement.prompt_tokens, Some(321));
}

#[tokio::test]
async fn a_redirect_is_an_error_and_is_not_followed() {
    let elsewhere = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(NOTE)))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    let location = format!("{}/v1/chat/completions", elsewhere.uri());
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(302).insert_header("location", location.as_str()))
        .expect(1)
        .mount(&server)
        .await;

    let err = writer(&server).write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("302");

    assert_eq!(err.disposition, Disposition::Permanent, "{}", err.message);
    assert!(err.message.contains("302"), "{}", err.message);
    let followed = elsewhere.received_requests().await.expect("recording");
    assert!(followed.is_empty(), "the redirect was followed with the key and the ticket text");
}

#[tokio::test]
async fn a_loopback_llm_needs_the_explicit_setting() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completion(NOTE)))
        .mount(&server)
        .await;
    let strict = |base_url: String| ClientSettings {
        base_url,
        api_key: None,
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
        allow_private_base_url: false,
    };

    // An IP literal is refused when the writer is built (the worker does not start).
    let err = OpenAiWriter::new(&strict(format!("{}/v1", server.uri())), options()).expect_err("refused");
    assert!(err.to_string().contains("ENHANCER_LLM__ALLOW_PRIVATE_BASE_URL"), "{err}");
    let err = OpenAiWriter::new(&strict("http://[::ffff:169.254.169.254]/v1".into()), options()).expect_err("metadata");
    assert!(err.to_string().contains("never allowed"), "{err}");

    // A name is refused when it resolves, permanently.
    let port = server.address().port();
    let writer = OpenAiWriter::new(&strict(format!("http://localhost:{port}/v1")), options()).expect("a name builds");
    let err = writer.write(&ticket(), &context(), &TenantSettings::default()).await.expect_err("refused");
    assert_eq!(err.disposition, Disposition::Permanent, "{}", err.message);
    assert!(err.message.contains("ENHANCER_LLM__ALLOW_PRIVATE_BASE_URL"), "{}", err.message);
    assert!(server.received_requests().await.expect("recording").is_empty());

    // The worker refuses to start on such a configuration.
    let db = TestDb::migrated().await;
    let base_url = format!("{}/v1", server.uri());
    let config = db.config_with(&[
        ("ENHANCER_LLM__PROVIDER", "openai"),
        ("ENHANCER_LLM__BASE_URL", &base_url),
        ("ENHANCER_LLM__MODEL", "llama3.1"),
    ]);
    assert!(build(&config).await.is_err(), "a loopback LLM without the setting");
}
