//! Connecting to RabbitMQ: automatic recovery on, a heartbeat so a dead peer is noticed, a name for the
//! broker's connection list, and a bound on how long connecting may take.

use std::borrow::Cow;
use std::time::Duration;

use lapin::uri::AMQPUri;
use lapin::{Connection, ConnectionProperties};
use secrecy::{ExposeSecret, SecretString};
use tokio::net::TcpStream;

use super::error::QueueError;

/// Heartbeat interval (seconds) added to a URL that sets none. Without heartbeats a broker that vanished
/// without closing TCP (a node lost, a NAT entry dropped) goes unnoticed until the next write; 30 s keeps
/// detection well inside a webhook sender's retry window. RabbitMQ's own default is 60 s.
pub const DEFAULT_HEARTBEAT_SECS: u16 = 30;

/// Opens a connection with lapin's automatic recovery: after a network error or a broker restart the
/// connection and its channels (with confirm mode, QoS, declarations and consumers) are re-established.
/// Recovery gives up after about five minutes of failed attempts; the connection then reports an error
/// state and its owner must reconnect (the publisher does so on its next publish).
///
/// `url` may carry `heartbeat=` and `connection_timeout=` query parameters; a heartbeat is added if absent.
/// `connection_name` is shown in the management UI and `rabbitmqctl list_connections client_properties`.
pub async fn connect(url: &SecretString, connection_name: &str, timeout: Duration) -> Result<Connection, QueueError> {
    let url = with_default_heartbeat(url.expose_secret());
    let uri = parse(&url)?;
    // lapin retries a refused TCP connect on its own I/O thread for as long as the recovery backoff
    // allows (minutes), and that thread keeps going after our timeout gives up on it. A broker that is
    // down would leave one such thread per reconnect attempt, so check that the port answers first.
    let address = (uri.authority.host.as_str(), uri.authority.port);
    match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
        Ok(Ok(probe)) => drop(probe),
        Ok(Err(error)) => return Err(QueueError::Unreachable(error)),
        Err(_) => return Err(QueueError::ConnectTimeout(timeout)),
    }
    let properties = ConnectionProperties::default()
        .with_connection_name(connection_name.into())
        // Reconnect attempts: from 0.5 s doubling to 10 s apart, jittered so that every replica does not
        // hit a restarted broker at the same instant, for at most 5 minutes. lapin's own default (1 s
        // doubling to 60 s, 16 times) would keep a broken connection "recovering" for over 10 minutes,
        // and readiness would report it as merely reconnecting all that time.
        .configure_backoff(|backoff| {
            backoff
                .with_min_delay(Duration::from_millis(500))
                .with_max_delay(Duration::from_secs(10))
                .with_jitter()
                .with_max_times(40)
                .with_total_delay(Some(Duration::from_secs(300)))
        })
        .enable_auto_recover();
    match tokio::time::timeout(timeout, Connection::connect_uri(uri, properties)).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => Err(QueueError::Connect(error)),
        Err(_) => Err(QueueError::ConnectTimeout(timeout)),
    }
}

/// The URL's parts; a parse error never repeats the URL, which holds the password.
fn parse(url: &str) -> Result<AMQPUri, QueueError> {
    url.parse().map_err(|message: String| QueueError::InvalidUrl(message.replace(url, "<url>")))
}

/// `url` with `heartbeat=30` appended unless it already sets a heartbeat.
pub fn with_default_heartbeat(url: &str) -> Cow<'_, str> {
    let query = url.split_once('?').map(|(_, query)| query);
    let has_heartbeat = query.is_some_and(|query| query.split('&').any(|pair| pair.starts_with("heartbeat=")));
    if has_heartbeat {
        return Cow::Borrowed(url);
    }
    let mut with = url.to_owned();
    match query {
        None => with.push('?'),
        Some("") => {}
        Some(_) => with.push('&'),
    }
    with.push_str(&format!("heartbeat={DEFAULT_HEARTBEAT_SECS}"));
    Cow::Owned(with)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_and_default_ports_without_leaking_the_password() {
        let uri = parse("amqp://guest:s3cret@127.0.0.1/%2f?heartbeat=30").expect("valid");
        assert_eq!((uri.authority.host.as_str(), uri.authority.port), ("127.0.0.1", 5672));
        assert_eq!(parse("amqps://u:p@broker.example/vh").expect("valid").authority.port, 5671);
        let error = parse("amqp:s3cret").expect_err("not a base URL").to_string();
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn adds_a_heartbeat_only_when_none_is_set() {
        assert_eq!(with_default_heartbeat("amqp://u:p@h:5672/%2f"), "amqp://u:p@h:5672/%2f?heartbeat=30");
        assert_eq!(with_default_heartbeat("amqp://h/%2f?"), "amqp://h/%2f?heartbeat=30");
        assert_eq!(
            with_default_heartbeat("amqp://h/%2f?connection_timeout=5000"),
            "amqp://h/%2f?connection_timeout=5000&heartbeat=30"
        );
        assert_eq!(with_default_heartbeat("amqp://h/%2f?heartbeat=10"), "amqp://h/%2f?heartbeat=10");
        assert_eq!(
            with_default_heartbeat("amqp://h/%2f?frame_max=8192&heartbeat=0"),
            "amqp://h/%2f?frame_max=8192&heartbeat=0"
        );
    }
}
