//! The confirmed publisher shared by ingest (new jobs) and the worker (retries, dead letters, replays).
//!
//! One connection with one confirm-mode channel per [`Publisher`]. Publishes from many tasks run
//! concurrently on that channel and their confirms are pipelined: nothing serializes a publish except the
//! socket. Every publish is bounded by `confirm_timeout` end to end, because lapin can hang when the broker
//! goes away (amqp-rs/lapin#409).
//!
//! Reconnection has two layers. lapin's automatic recovery re-establishes the connection and the channel
//! (with confirm mode) after a network error or a broker restart; a publish that meets a recovering
//! channel waits for it, within its timeout. When recovery is not possible (a channel closed by a
//! channel-level error, or recovery gave up), the next publish opens a new connection and channel; a
//! mutex makes sure that concurrent publishers do not all reconnect at once.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::Utc;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::types::{FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Confirmation, Connection};
use secrecy::SecretString;

use super::connection::connect;
use super::declare::declare;
use super::error::{PublishError, QueueError};
use super::headers::JobHeaders;
use super::topology::{Route, Topology};
use crate::domain::EnhancementJob;

/// AMQP delivery mode 2: the broker writes the message to disk (quorum queues store every message
/// durably anyway; the flag also makes classic targets and the intent explicit).
const PERSISTENT: u8 = 2;

/// How a [`Publisher`] connects and how long it waits.
#[derive(Debug, Clone)]
pub struct PublisherOptions {
    /// Shown in the broker's connection list (`enhancer-ingest`, `enhancer-worker`), and sent as `app_id`.
    pub connection_name: String,
    /// Upper bound on one publish, from the call to the broker's confirm, including waiting for a
    /// recovering channel or reconnecting. Config: `amqp.publish_timeout_ms`.
    pub confirm_timeout: Duration,
    /// Upper bound on opening a connection and its channel.
    pub connect_timeout: Duration,
    /// After a reconnect failed, publishes fail at once for this long instead of each trying again:
    /// a broker that is down is not hammered, and callers get their 503 without waiting.
    pub reconnect_backoff: Duration,
}

impl Default for PublisherOptions {
    fn default() -> Self {
        Self {
            connection_name: "enhancer".into(),
            confirm_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(10),
            reconnect_backoff: Duration::from_secs(1),
        }
    }
}

/// A confirmed, persistent, mandatory publisher. Clone it freely: clones share the connection.
#[derive(Clone)]
pub struct Publisher {
    inner: Arc<Inner>,
}

struct Inner {
    url: SecretString,
    topology: Topology,
    options: PublisherOptions,
    /// The live connection and channel. A std lock, held only to clone or swap the `Arc`, never across
    /// an await: publishes read it concurrently.
    link: RwLock<Option<Arc<Link>>>,
    /// Held by the one task that reconnects; remembers when the last attempt that has not succeeded
    /// started (an attempt cut short by a publish's timeout counts as failed).
    reconnecting: tokio::sync::Mutex<Option<Instant>>,
}

struct Link {
    /// Shared with the link that replaces this one when only the channel was lost.
    connection: Arc<Connection>,
    channel: Channel,
}

impl Publisher {
    /// Connects and opens a confirm-mode channel; fails if the broker cannot be reached.
    pub async fn connect(
        url: &SecretString,
        topology: Topology,
        options: PublisherOptions,
    ) -> Result<Self, QueueError> {
        let publisher = Self::new(url, topology, options);
        let link = publisher.inner.open_link(None).await?;
        publisher.inner.store(link);
        Ok(publisher)
    }

    /// A publisher that connects on its first publish or [`Self::ensure_connected`]: a process can start,
    /// and report itself not ready, while the broker is down.
    pub fn new(url: &SecretString, topology: Topology, options: PublisherOptions) -> Self {
        Self {
            inner: Arc::new(Inner {
                url: url.clone(),
                topology,
                options,
                link: RwLock::new(None),
                reconnecting: tokio::sync::Mutex::new(None),
            }),
        }
    }

    pub fn topology(&self) -> &Topology {
        &self.inner.topology
    }

    /// Declares the topology on this publisher's channel (lapin then re-declares it after a recovery).
    pub async fn declare_topology(&self) -> Result<(), QueueError> {
        let link = self.inner.usable_link().await?;
        declare(&link.channel, &self.inner.topology).await
    }

    /// Whether the connection and the channel are open right now; for readiness. A connection that
    /// lapin is recovering counts as not connected.
    pub fn is_connected(&self) -> bool {
        self.inner.current().is_some_and(|link| link.is_open())
    }

    /// [`Self::is_connected`], after reconnecting if the link is broken beyond lapin's own recovery
    /// (bounded by `connect_timeout`). Readiness probes call this: a process that receives no traffic
    /// because it is not ready would otherwise never reconnect.
    pub async fn ensure_connected(&self) -> bool {
        if self.is_connected() {
            return true;
        }
        let attempt = tokio::time::timeout(self.inner.options.connect_timeout, self.inner.usable_link()).await;
        matches!(attempt, Ok(Ok(link)) if link.is_open())
    }

    /// Publishes a job to `{prefix}.jobs` with `message_id` = job id, and returns once the broker confirmed.
    pub async fn publish_job(&self, job: &EnhancementJob, headers: &JobHeaders) -> Result<(), PublishError> {
        let route = self.inner.topology.jobs_route();
        self.publish(&route, &job.job_id.to_string(), &job.to_json(), headers.to_field_table()).await
    }

    /// Publishes a JSON `body` on `route` (a retry tier, the dead-letter exchange, the jobs queue for a
    /// replay) and returns once the broker confirmed it. Persistent, mandatory (an unroutable message is an
    /// error, not a silent drop), `content_type: application/json`, `timestamp` now, and `headers` as given
    /// (build them with [`super::headers`]). Bounded by `confirm_timeout`.
    pub async fn publish(
        &self,
        route: &Route,
        message_id: &str,
        body: &[u8],
        headers: FieldTable,
    ) -> Result<(), PublishError> {
        let exchange = short(&route.exchange)?;
        let routing_key = short(&route.routing_key)?;
        let properties = BasicProperties::default()
            .with_content_type("application/json".into())
            .with_delivery_mode(PERSISTENT)
            .with_message_id(short(message_id)?)
            .with_timestamp(u64::try_from(Utc::now().timestamp()).unwrap_or(0))
            .with_app_id(short(&self.inner.options.connection_name)?)
            .with_headers(headers);
        let timeout = self.inner.options.confirm_timeout;
        let publish = self.inner.publish_confirmed(route, exchange, routing_key, body, properties);
        tokio::time::timeout(timeout, publish).await.map_err(|_| PublishError::Timeout(timeout))?
    }

    /// Closes the channel and the connection (graceful shutdown, after the last publish).
    pub async fn close(&self) {
        let link = self.inner.link.write().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(link) = link {
            let close = async {
                let _ = link.channel.close(200, "shutdown".into()).await;
                let _ = link.connection.close(200, "shutdown".into()).await;
            };
            let _ = tokio::time::timeout(self.inner.options.connect_timeout, close).await;
        }
    }
}

impl Inner {
    async fn publish_confirmed(
        &self,
        route: &Route,
        exchange: ShortString,
        routing_key: ShortString,
        body: &[u8],
        properties: BasicProperties,
    ) -> Result<(), PublishError> {
        let options = BasicPublishOptions { mandatory: true, immediate: false };
        let mut link = self.usable_link().await.map_err(PublishError::Unavailable)?;
        let mut retried = false;
        loop {
            let attempt = async {
                let confirm = link.channel.basic_publish(
                    exchange.clone(),
                    routing_key.clone(),
                    options,
                    body,
                    properties.clone(),
                );
                confirm.await?.await
            };
            match attempt.await {
                Ok(confirmation) => return confirmed(confirmation, route),
                Err(error) if !retried => {
                    retried = true;
                    link = self.recover(link, error).await?;
                }
                Err(error) => return Err(PublishError::Channel(error)),
            }
        }
    }

    /// After a publish failed on `link`: wait for lapin's recovery if it is at work, or reconnect if the
    /// channel or connection is gone for good; the caller then sends the message once more. If the first
    /// copy was stored after all (its confirm was lost with the connection), the broker holds it twice:
    /// delivery is at-least-once, and consumers deduplicate on the job's idempotency key.
    async fn recover(&self, link: Arc<Link>, error: lapin::Error) -> Result<Arc<Link>, PublishError> {
        match link.channel.wait_for_recovery(error).await {
            Ok(()) => Ok(link),
            Err(_) if link.is_broken() => self.reconnect().await.map_err(PublishError::Unavailable),
            Err(error) => Err(PublishError::Channel(error)),
        }
    }

    /// The current link if it is open or being recovered by lapin, otherwise a new one.
    async fn usable_link(&self) -> Result<Arc<Link>, QueueError> {
        match self.current() {
            Some(link) if !link.is_broken() => Ok(link),
            _ => self.reconnect().await,
        }
    }

    /// Replaces a broken (or missing) link. Only one task reconnects at a time; the others queue on the
    /// mutex and then use the link it made, or fail fast within `reconnect_backoff` of a failed attempt.
    async fn reconnect(&self) -> Result<Arc<Link>, QueueError> {
        let mut unsuccessful_since = self.reconnecting.lock().await;
        let old = self.current();
        if let Some(current) = &old
            && !current.is_broken()
        {
            return Ok(Arc::clone(current));
        }
        if let Some(at) = *unsuccessful_since
            && at.elapsed() < self.options.reconnect_backoff
        {
            return Err(QueueError::ReconnectBackoff(at.elapsed()));
        }
        // Recorded before the attempt, so that one cancelled by the caller's timeout still counts.
        *unsuccessful_since = Some(Instant::now());
        match self.open_link(old.as_deref()).await {
            Ok(link) => {
                *unsuccessful_since = None;
                Ok(self.store(link))
            }
            Err(error) => {
                tracing::warn!(%error, "could not reconnect to the AMQP broker");
                Err(error)
            }
        }
    }

    /// A new confirm-mode channel: on `old`'s connection if that is still open (only the channel was
    /// closed, e.g. by a channel-level error), else on a new connection.
    async fn open_link(&self, old: Option<&Link>) -> Result<Link, QueueError> {
        let timeout = self.options.connect_timeout;
        let connection = match old {
            Some(old) if old.connection.status().connected() => Arc::clone(&old.connection),
            _ => Arc::new(connect(&self.url, &self.options.connection_name, timeout).await?),
        };
        let open_channel = async {
            let channel = connection.create_channel().await?;
            channel.confirm_select(ConfirmSelectOptions::default()).await?;
            Ok::<_, lapin::Error>(channel)
        };
        let channel = match tokio::time::timeout(timeout, open_channel).await {
            Ok(Ok(channel)) => channel,
            Ok(Err(source)) => return Err(QueueError::Channel { operation: "channel.open", source }),
            Err(_) => return Err(QueueError::Timeout("channel.open", timeout)),
        };
        Ok(Link { connection, channel })
    }

    fn current(&self) -> Option<Arc<Link>> {
        self.link.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    fn store(&self, link: Link) -> Arc<Link> {
        let link = Arc::new(link);
        *self.link.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::clone(&link));
        link
    }
}

impl Link {
    fn is_open(&self) -> bool {
        self.connection.status().connected() && self.channel.status().connected()
    }

    /// Closed or failed, and not being recovered by lapin: only a new channel or connection helps.
    fn is_broken(&self) -> bool {
        let recovering = self.channel.status().reconnecting() || self.connection.status().reconnecting();
        !self.is_open() && !recovering
    }
}

/// The broker's answer, as a result.
fn confirmed(confirmation: Confirmation, route: &Route) -> Result<(), PublishError> {
    let target = || (route.exchange.clone(), route.routing_key.clone());
    match confirmation {
        Confirmation::Ack(None) => Ok(()),
        // With `mandatory`, an unroutable message comes back (basic.return) and is then acked.
        Confirmation::Ack(Some(returned)) | Confirmation::Nack(Some(returned)) => {
            let (exchange, routing_key) = target();
            Err(PublishError::Unroutable {
                exchange,
                routing_key,
                reply_code: returned.reply_code,
                reply_text: returned.reply_text.to_string(),
            })
        }
        Confirmation::Nack(None) => {
            let (exchange, routing_key) = target();
            Err(PublishError::Nacked { exchange, routing_key })
        }
        Confirmation::NotRequested => Err(PublishError::Unconfirmed),
    }
}

fn short(value: &str) -> Result<ShortString, PublishError> {
    ShortString::try_new(value).map_err(|_| PublishError::NameTooLong(value.chars().take(64).collect()))
}

impl fmt::Debug for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publisher")
            .field("topology", &self.inner.topology)
            .field("options", &self.inner.options)
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}
