//! Errors of the queue layer: [`QueueError`] for connecting and declaring, [`PublishError`] for a publish that
//! the broker did not confirm. Every variant is transient: a broker that is away, slow or restarting comes
//! back, and the caller (ingest answers 503, the worker retries the job) decides what to do meanwhile.

use std::time::Duration;

use crate::error::{Disposition, Retryable};

/// Connecting to the broker, opening a channel, or declaring the topology failed.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error(
        "queue prefix must be 1 to 200 characters of a-z, A-Z, 0-9, '.', '-', '_' and not start with \"amq.\"; got {0:?}"
    )]
    InvalidPrefix(String),
    /// The parser's message names the faulty part; the URL itself (with its password) is never shown.
    #[error("the AMQP URL is invalid: {0}")]
    InvalidUrl(String),
    #[error("the AMQP broker's port does not answer: {0}")]
    Unreachable(#[source] std::io::Error),
    #[error("could not connect to the AMQP broker: {0}")]
    Connect(#[source] lapin::Error),
    #[error("connecting to the AMQP broker did not finish within {0:?}")]
    ConnectTimeout(Duration),
    #[error("AMQP channel operation {operation} failed: {source}")]
    Channel {
        operation: &'static str,
        #[source]
        source: lapin::Error,
    },
    #[error("AMQP channel operation {0} did not finish within {1:?}")]
    Timeout(&'static str, Duration),
    #[error("not reconnecting yet: the last attempt failed {0:?} ago")]
    ReconnectBackoff(Duration),
}

impl Retryable for QueueError {
    /// A wrong prefix or URL is a configuration error; everything else is the broker being away, slow or
    /// restarting.
    fn disposition(&self) -> Disposition {
        match self {
            QueueError::InvalidPrefix(_) | QueueError::InvalidUrl(_) => Disposition::Permanent,
            _ => Disposition::TRANSIENT,
        }
    }
}

/// A message was not confirmed by the broker. After any of these the message may or may not be stored:
/// republishing can create a duplicate, which consumers tolerate (at-least-once delivery).
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the broker refused the message (basic.nack) for {exchange:?}/{routing_key:?}")]
    Nacked { exchange: String, routing_key: String },
    #[error("the broker could not route the message to {exchange:?}/{routing_key:?}: {reply_code} {reply_text}")]
    Unroutable { exchange: String, routing_key: String, reply_code: u16, reply_text: String },
    #[error("no publisher confirm within {0:?}")]
    Timeout(Duration),
    #[error("the AMQP channel failed while publishing: {0}")]
    Channel(#[source] lapin::Error),
    #[error("the AMQP broker is unavailable: {0}")]
    Unavailable(#[source] QueueError),
    #[error("the channel is not in confirm mode, so the broker never confirmed the message")]
    Unconfirmed,
    #[error("exchange, routing key, message id or app id is longer than 255 bytes: {0:?}...")]
    NameTooLong(String),
}

impl Retryable for PublishError {
    /// Transient: a nack means the broker could not store the message right now (a quorum queue
    /// without a leader, `x-overflow: reject-publish` at a length limit); an unroutable message means the
    /// topology is not declared yet or was deleted, and start-up declares it again. The one exception is a
    /// name too long for AMQP, a bug that no retry fixes.
    fn disposition(&self) -> Disposition {
        match self {
            PublishError::NameTooLong(_) => Disposition::Permanent,
            _ => Disposition::TRANSIENT,
        }
    }
}
