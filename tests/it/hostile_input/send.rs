//! Sending one hostile request: through reqwest, or over a raw TCP connection when the request line itself is
//! the attack (reqwest's URL parser would normalise `..` and `%2e%2e` away before the server saw them).

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::Row;

/// A request that takes longer than this is a hang: every row is answered from memory, Redis or the broker
/// well within it.
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

/// The status and body of the answer, or why there was none.
pub async fn send(address: SocketAddr, row: &Row) -> Result<(u16, String), String> {
    if row.raw { raw(address, row).await } else { via_reqwest(address, row).await }
}

async fn via_reqwest(address: SocketAddr, row: &Row) -> Result<(u16, String), String> {
    let client = reqwest::Client::builder().timeout(ANSWER_WITHIN).build().map_err(|err| err.to_string())?;
    let mut request = client.post(format!("http://{address}{}", row.path)).body(row.body.clone());
    for (name, value) in &row.headers {
        let value = reqwest::header::HeaderValue::from_bytes(value).map_err(|err| err.to_string())?;
        request = request.header(name.as_str(), value);
    }
    let response = request.send().await.map_err(|err| format!("request failed: {err}"))?;
    let status = response.status().as_u16();
    Ok((status, response.text().await.unwrap_or_default()))
}

/// HTTP/1.1 by hand: the path goes out byte for byte, and the connection closes after the answer.
async fn raw(address: SocketAddr, row: &Row) -> Result<(u16, String), String> {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(address).await.map_err(|err| err.to_string())?;
        let mut request = format!(
            "POST {} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\ncontent-length: {}\r\n",
            row.path,
            row.body.len()
        )
        .into_bytes();
        for (name, value) in &row.headers {
            request.extend_from_slice(name.as_bytes());
            request.extend_from_slice(b": ");
            request.extend_from_slice(value);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(&row.body);
        // The server may answer and close before reading everything (a refused request line); its answer is
        // what counts, so a failed write is not an error yet.
        let _ = stream.write_all(&request).await;
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer).await;
        if answer.is_empty() {
            return Err(format!("no answer (read: {read:?})"));
        }
        let text = String::from_utf8_lossy(&answer).into_owned();
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| format!("not an HTTP answer: {:?}", text.chars().take(80).collect::<String>()))?;
        let body = text.split_once("\r\n\r\n").map(|(_, body)| body.to_owned()).unwrap_or_default();
        Ok((status, body))
    };
    tokio::time::timeout(ANSWER_WITHIN, exchange).await.map_err(|_| format!("no answer within {ANSWER_WITHIN:?}"))?
}
