//! The shared outbound client against wiremock: classification of every error class, retries for
//! idempotent methods only, Retry-After (and a 429's X-RateLimit-Reset), timeouts, the size limit and the
//! user agent.

use std::time::Duration;

use enhancer_plugins::{HttpClient, HttpConfig, ToolError};
use enhancer_shared::error::{Disposition, Retryable};
use reqwest::Method;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::fast_http;

async fn server_answering(status: u16, expected_calls: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(status).set_body_string("nope"))
        .expect(expected_calls)
        .mount(&server)
        .await;
    server
}

async fn call(
    http: &HttpClient,
    server: &MockServer,
    method: Method,
) -> Result<enhancer_plugins::HttpResponse, ToolError> {
    let url = url::Url::parse(&format!("{}/x", server.uri())).expect("url");
    http.send(http.request(method, url)).await.and_then(enhancer_plugins::HttpResponse::error_for_status)
}

#[tokio::test]
async fn permanent_statuses_are_not_retried() {
    for status in [400, 401, 403, 404, 410, 422] {
        let server = server_answering(status, 1).await;
        let err = call(&fast_http(), &server, Method::GET).await.expect_err("error status");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.disposition(), Disposition::Permanent, "{status}");
    }
}

#[tokio::test]
async fn get_is_retried_on_500_then_reported_transient() {
    // 1 attempt + max_retries (2).
    let server = server_answering(500, 3).await;
    let err = call(&fast_http(), &server, Method::GET).await.expect_err("500");
    assert!(err.disposition().is_transient());
}

#[tokio::test]
async fn post_is_never_retried() {
    let server = server_answering(503, 1).await;
    let err = call(&fast_http(), &server, Method::POST).await.expect_err("503");
    assert!(err.disposition().is_transient());
}

#[tokio::test]
async fn send_once_does_not_retry_a_put() {
    let server = server_answering(503, 1).await;
    let http = fast_http();
    let url = url::Url::parse(&format!("{}/x", server.uri())).expect("url");
    let response = http.send_once(http.request(Method::PUT, url)).await.expect("an answer");
    assert!(response.error_for_status().expect_err("503").disposition().is_transient());
}

#[tokio::test]
async fn get_recovers_after_a_transient_failure() {
    let server = MockServer::start().await;
    Mock::given(path("/x")).respond_with(ResponseTemplate::new(502)).up_to_n_times(1).mount(&server).await;
    Mock::given(path("/x")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&server).await;
    let response = call(&fast_http(), &server, Method::GET).await.expect("second attempt succeeds");
    assert_eq!(response.body, b"ok");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn long_retry_after_is_surfaced_not_waited() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .expect(1)
        .mount(&server)
        .await;
    let err = call(&fast_http(), &server, Method::GET).await.expect_err("429");
    assert_eq!(err.disposition(), Disposition::Transient { retry_after: Some(Duration::from_secs(120)) });
}

#[tokio::test]
async fn short_retry_after_is_waited_out_for_get() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "0"))
        .expect(3)
        .mount(&server)
        .await;
    let err = call(&fast_http(), &server, Method::GET).await.expect_err("429 throughout");
    assert_eq!(err.disposition(), Disposition::Transient { retry_after: Some(Duration::ZERO) });
}

#[tokio::test]
async fn retry_after_as_http_date() {
    let server = MockServer::start().await;
    let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822().replace("+0000", "GMT");
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", later.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    let err = call(&fast_http(), &server, Method::POST).await.expect_err("503");
    let wait = err.retry_after().expect("retry-after parsed");
    assert!(wait > Duration::from_secs(80) && wait <= Duration::from_secs(90), "{wait:?}");
}

#[tokio::test]
async fn rate_limit_reset_stands_in_only_for_a_missing_retry_after_on_429() {
    let reset = (chrono::Utc::now().timestamp() + 600).to_string();
    let answer = |status: u16, retry_after: Option<&str>| {
        let mut template = ResponseTemplate::new(status).insert_header("X-RateLimit-Reset", reset.as_str());
        if let Some(value) = retry_after {
            template = template.insert_header("Retry-After", value);
        }
        template
    };
    let hint = |status: u16, retry_after: Option<&'static str>| {
        let answer = answer(status, retry_after);
        async move {
            let server = MockServer::start().await;
            Mock::given(path("/x")).respond_with(answer).mount(&server).await;
            call(&fast_http(), &server, Method::POST).await.expect_err("error").retry_after()
        }
    };
    let from_reset = hint(429, None).await.expect("the reset time as the hint");
    assert!(from_reset > Duration::from_secs(590) && from_reset <= Duration::from_secs(600), "{from_reset:?}");
    assert_eq!(hint(429, Some("7")).await, Some(Duration::from_secs(7)), "Retry-After wins");
    assert_eq!(hint(503, None).await, None, "only a 429 is a rate limit");
}

#[tokio::test]
async fn slow_server_times_out_transiently() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let http = HttpClient::new(HttpConfig {
        request_timeout: Duration::from_millis(100),
        max_retries: 0,
        allow_private_networks: true,
        ..HttpConfig::default()
    })
    .expect("client");
    let err = call(&http, &server, Method::GET).await.expect_err("timeout");
    assert!(matches!(err, ToolError::Timeout), "{err:?}");
    assert!(err.disposition().is_transient());
}

#[tokio::test]
async fn refused_connection_is_transient() {
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let http = fast_http();
    let url = url::Url::parse(&format!("http://127.0.0.1:{port}/x")).expect("url");
    let err = http.send(http.request(Method::GET, url)).await.expect_err("refused");
    assert!(matches!(err, ToolError::Connect(_)), "{err:?}");
    assert!(err.disposition().is_transient());
}

#[tokio::test]
async fn oversized_responses_are_cut_off() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(vec![b'a'; 4096]))
        .mount(&server)
        .await;
    let http =
        HttpClient::new(HttpConfig { max_response_bytes: 1024, allow_private_networks: true, ..HttpConfig::default() })
            .expect("client");
    let err = call(&http, &server, Method::GET).await.expect_err("too large");
    assert!(matches!(err, ToolError::TooLarge { limit: 1024 }), "{err:?}");
    assert_eq!(err.disposition(), Disposition::Permanent);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "http://169.254.169.254/latest"))
        .expect(1)
        .mount(&server)
        .await;
    let err = call(&fast_http(), &server, Method::GET).await.expect_err("redirect");
    assert_eq!(err.status(), Some(302));
    assert_eq!(err.disposition(), Disposition::Permanent);
}

#[tokio::test]
async fn sends_our_user_agent() {
    let server = MockServer::start().await;
    let agent = format!("ticket-enhancer/{}", env!("CARGO_PKG_VERSION"));
    Mock::given(method("GET"))
        .and(path("/x"))
        .and(header("user-agent", agent.as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    call(&fast_http(), &server, Method::GET).await.expect("204");
}

#[tokio::test]
async fn a_strict_client_refuses_loopback_literals_and_names_permanently() {
    let server = MockServer::start().await;
    Mock::given(path("/x")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    // The default configuration: private networks not allowed.
    let http = HttpClient::new(HttpConfig::default()).expect("client");
    let port = server.address().port();
    for raw in [format!("http://127.0.0.1:{port}/x"), format!("http://localhost:{port}/x")] {
        let url = url::Url::parse(&raw).expect("url");
        let err = http.send(http.request(Method::GET, url.clone())).await.expect_err("refused");
        assert!(matches!(err, ToolError::Refused(_)), "{raw}: {err:?}");
        assert!(!err.disposition().is_transient(), "{raw}: a refusal is permanent");
        assert!(err.to_string().contains("ALLOW_PRIVATE_NETWORKS"), "{err}");
        let err = http.send_once(http.request(Method::POST, url)).await.expect_err("refused");
        assert!(matches!(err, ToolError::Refused(_)), "{raw}: {err:?}");
    }
    let metadata = url::Url::parse("http://[::ffff:169.254.169.254]/latest/meta-data").expect("url");
    let on_prem =
        HttpClient::new(HttpConfig { allow_private_networks: true, ..HttpConfig::default() }).expect("client");
    let err = on_prem.send(on_prem.request(Method::GET, metadata)).await.expect_err("refused");
    assert!(matches!(err, ToolError::Refused(_)), "{err:?}");
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.is_empty(), "nothing reached the server: {received:?}");
}

/// Where [`the_proxy_variables_of_the_environment_are_ignored`] tells its child process to call.
const PROXY_TEST_TARGET: &str = "TE_PROXY_TEST_TARGET";

#[tokio::test]
async fn the_proxy_variables_of_the_environment_are_ignored() {
    let proxy = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_string("proxy"))
        .mount(&proxy)
        .await;
    let target = MockServer::start().await;
    Mock::given(path("/x")).respond_with(ResponseTemplate::new(200).set_body_string("target")).mount(&target).await;
    // The variables are read when a client is built; the test process cannot set them on itself (no
    // unsafe code), so a child process runs the client with them set.
    let exe = std::env::current_exe().expect("test binary");
    let output = std::process::Command::new(exe)
        .args(["--ignored", "--exact", "http_client::proxy_child", "--nocapture", "--test-threads=1"])
        .env("HTTP_PROXY", proxy.uri())
        .env("http_proxy", proxy.uri())
        .env("HTTPS_PROXY", proxy.uri())
        .env("ALL_PROXY", proxy.uri())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env(PROXY_TEST_TARGET, format!("{}/x", target.uri()))
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(proxy.received_requests().await.unwrap_or_default().is_empty(), "a request went through the proxy");
    assert_eq!(target.received_requests().await.unwrap_or_default().len(), 1);
}

#[tokio::test]
#[ignore = "run by the_proxy_variables_of_the_environment_are_ignored, in a child process with proxy variables"]
async fn proxy_child() {
    let target = std::env::var(PROXY_TEST_TARGET).expect("started by the parent test");
    let http = fast_http();
    let response = http.send(http.request(Method::GET, url::Url::parse(&target).expect("url"))).await.expect("answer");
    assert_eq!(response.body, b"target", "the answer came from {}", String::from_utf8_lossy(&response.body));
}
