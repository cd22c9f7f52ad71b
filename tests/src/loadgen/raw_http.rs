//! A minimal HTTP/1.1 keep-alive client for the load generator, in the manner of `wrk`: a request is one
//! pre-assembled buffer and one `write`, a response is read by its `Content-Length`. The load generator
//! shares the two cores with what it measures, so its own cost per request matters: reqwest (hyper's
//! client pool, header maps, body streams) cost 38 to 44 µs of CPU per request, more than twice the
//! ceiling's lapin publisher per message (docs/BENCHMARKS.md). It speaks only what ingest answers: no
//! chunked bodies, no redirects, no TLS.

use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::payload::SignedRequest;

/// Keep-alive connections to one origin, reused across requests; a broken one is dropped, not returned.
#[derive(Debug)]
pub struct RawClient {
    addr: SocketAddr,
    host: String,
    path: String,
    idle: Mutex<Vec<Connection>>,
    timeout: Duration,
}

#[derive(Debug)]
struct Connection {
    stream: TcpStream,
    /// Bytes read past the end of the previous response (none with one request in flight, kept for safety).
    buffer: Vec<u8>,
}

impl RawClient {
    /// `url` is `http://host:port/path`.
    pub fn new(url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let parsed = url::Url::parse(url).context("the target URL")?;
        anyhow::ensure!(parsed.scheme() == "http", "the load generator speaks plain HTTP only");
        let addr = parsed
            .socket_addrs(|| Some(80))
            .context("resolving the target")?
            .into_iter()
            .next()
            .context("the target has no address")?;
        let host = match parsed.port() {
            Some(port) => format!("{}:{port}", parsed.host_str().unwrap_or_default()),
            None => parsed.host_str().unwrap_or_default().to_owned(),
        };
        Ok(Self { addr, host, path: parsed.path().to_owned(), idle: Mutex::new(Vec::new()), timeout })
    }

    /// Sends `request` as a POST and returns the response's status code.
    pub async fn post(&self, request: &SignedRequest) -> anyhow::Result<u16> {
        let wire = self.assemble(request);
        let connection = self.idle.lock().expect("pool lock").pop();
        let mut connection = match connection {
            Some(connection) => connection,
            None => {
                let stream = TcpStream::connect(self.addr).await.context("connect")?;
                // Requests are single writes; Nagle would hold the next one back for the previous ACK.
                stream.set_nodelay(true)?;
                Connection { stream, buffer: Vec::with_capacity(1024) }
            }
        };
        let status = tokio::time::timeout(self.timeout, exchange(&mut connection, &wire))
            .await
            .context("no answer within the timeout")??;
        self.idle.lock().expect("pool lock").push(connection);
        Ok(status)
    }

    fn assemble(&self, request: &SignedRequest) -> Vec<u8> {
        let mut wire = Vec::with_capacity(request.body.len() + 512);
        wire.extend_from_slice(b"POST ");
        wire.extend_from_slice(self.path.as_bytes());
        wire.extend_from_slice(b" HTTP/1.1\r\nhost: ");
        wire.extend_from_slice(self.host.as_bytes());
        wire.extend_from_slice(b"\r\n");
        for (name, value) in &request.headers {
            wire.extend_from_slice(name.as_str().as_bytes());
            wire.extend_from_slice(b": ");
            wire.extend_from_slice(value.as_bytes());
            wire.extend_from_slice(b"\r\n");
        }
        wire.extend_from_slice(format!("content-length: {}\r\n\r\n", request.body.len()).as_bytes());
        wire.extend_from_slice(&request.body);
        wire
    }
}

/// Writes one request and reads its response to the end; returns the status code.
async fn exchange(connection: &mut Connection, wire: &[u8]) -> anyhow::Result<u16> {
    connection.stream.write_all(wire).await?;
    let buffer = &mut connection.buffer;
    let head_end = loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            break end + 4;
        }
        read_more(&mut connection.stream, buffer).await?;
    };
    let head = std::str::from_utf8(&buffer[..head_end]).context("response head is not UTF-8")?;
    let status: u16 = head.get(9..12).and_then(|code| code.parse().ok()).context("no status code")?;
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
        })
        .context("the response has no Content-Length")?;
    while buffer.len() < head_end + length {
        read_more(&mut connection.stream, buffer).await?;
    }
    buffer.drain(..head_end + length);
    Ok(status)
}

async fn read_more(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> anyhow::Result<()> {
    let mut chunk = [0_u8; 4096];
    let n = stream.read(&mut chunk).await?;
    anyhow::ensure!(n > 0, "the server closed the connection");
    buffer.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn posts_and_reads_responses_on_one_kept_alive_connection() {
        use axum::routing::post;
        let app = axum::Router::new().route(
            "/webhooks/t",
            post(|body: axum::body::Bytes| async move {
                (axum::http::StatusCode::ACCEPTED, format!("{{\"len\":{}}}", body.len()))
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = RawClient::new(&format!("http://{addr}/webhooks/t"), Duration::from_secs(5)).expect("client");
        let request = SignedRequest { headers: reqwest::header::HeaderMap::new(), body: b"{\"a\":1}".to_vec() };
        for _ in 0..3 {
            assert_eq!(client.post(&request).await.expect("answer"), 202);
        }
        assert_eq!(client.idle.lock().expect("lock").len(), 1, "one connection, reused");
    }
}
