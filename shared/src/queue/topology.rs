//! The names of the queue topology (docs/DESIGN.md section 5), derived from one prefix, and the routes messages
//! are published on. Declaring it on the broker is [`super::declare`].
//!
//! ```text
//! publish ──(default exchange)──> {prefix}.jobs ──(x-delivery-limit, reject requeue=false)──┐
//!                                      ^                                                      v
//! {prefix}.retry.{5s..30m} ──(TTL, dead-letter via the default exchange)──┘   {prefix}.dead exchange (direct)
//!                                                                                            v
//!                                                                                {prefix}.dead queue
//! ```

use super::error::QueueError;
use super::retry_tier::RetryTier;

/// Where a message is published: an exchange (empty for the default exchange) and a routing key.
/// With the default exchange the routing key is the queue name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Route {
    pub exchange: String,
    pub routing_key: String,
}

impl Route {
    /// Straight into the named queue through the default exchange.
    pub fn queue(name: impl Into<String>) -> Self {
        Self { exchange: String::new(), routing_key: name.into() }
    }

    pub fn new(exchange: impl Into<String>, routing_key: impl Into<String>) -> Self {
        Self { exchange: exchange.into(), routing_key: routing_key.into() }
    }
}

/// The queues and exchanges of one installation. Cheap to clone; both processes build it from
/// `config.queue.prefix` and declare it at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    prefix: String,
    delivery_limit: u32,
}

impl Topology {
    /// Deliveries of one job message before the broker dead-letters it as poison (a worker crashing on
    /// it, or returning it, again and again). Retries of transient failures do not count: they are new
    /// messages republished through the retry tiers.
    pub const DEFAULT_DELIVERY_LIMIT: u32 = 10;

    /// A prefix of 1 to 200 characters (names stay well under AMQP's 255-byte limit) of `a-z A-Z 0-9 . - _`,
    /// not starting with the broker-reserved `amq.`.
    pub fn new(prefix: impl Into<String>) -> Result<Self, QueueError> {
        let prefix = prefix.into();
        let ok_len = (1..=200).contains(&prefix.len());
        let ok_chars = prefix.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !ok_len || !ok_chars || prefix.starts_with("amq.") {
            return Err(QueueError::InvalidPrefix(prefix));
        }
        Ok(Self { prefix, delivery_limit: Self::DEFAULT_DELIVERY_LIMIT })
    }

    /// Overrides [`Self::DEFAULT_DELIVERY_LIMIT`]. Queue arguments cannot change once a queue exists: every
    /// process must use the same value, or declaring fails with `PRECONDITION_FAILED`.
    #[must_use]
    pub fn with_delivery_limit(mut self, limit: u32) -> Self {
        self.delivery_limit = limit.max(1);
        self
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn delivery_limit(&self) -> u32 {
        self.delivery_limit
    }

    /// `{prefix}.jobs`: the quorum queue workers consume.
    pub fn jobs_queue(&self) -> String {
        format!("{}.jobs", self.prefix)
    }

    /// `{prefix}.retry.{5s|30s|2m|10m|30m}`.
    pub fn retry_queue(&self, tier: RetryTier) -> String {
        format!("{}.retry.{}", self.prefix, tier.suffix())
    }

    /// `{prefix}.dead`: the dead-letter queue operators list and replay.
    pub fn dead_queue(&self) -> String {
        format!("{}.dead", self.prefix)
    }

    /// `{prefix}.dead`: the direct exchange the jobs queue dead-letters to (exchanges and queues have
    /// separate namespaces, so it shares the queue's name).
    pub fn dead_exchange(&self) -> String {
        format!("{}.dead", self.prefix)
    }

    /// The key binding the dead queue to the dead exchange, also set as the jobs queue's
    /// `x-dead-letter-routing-key` (without it a dead-lettered job would keep its `{prefix}.jobs` key).
    pub fn dead_routing_key(&self) -> String {
        self.dead_queue()
    }

    /// New jobs and replays: straight into the jobs queue.
    pub fn jobs_route(&self) -> Route {
        Route::queue(self.jobs_queue())
    }

    /// A transient failure waiting out `tier`.
    pub fn retry_route(&self, tier: RetryTier) -> Route {
        Route::queue(self.retry_queue(tier))
    }

    /// A job the worker gives up on: through the dead exchange, the same path the broker takes.
    pub fn dead_route(&self) -> Route {
        Route::new(self.dead_exchange(), self.dead_routing_key())
    }

    /// Every queue of the topology: jobs, the retry tiers shortest first, dead.
    pub fn queues(&self) -> Vec<String> {
        let mut queues = vec![self.jobs_queue()];
        queues.extend(RetryTier::ALL.into_iter().map(|tier| self.retry_queue(tier)));
        queues.push(self.dead_queue());
        queues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_prefix() {
        let topology = Topology::new("enhancer").expect("valid prefix");
        assert_eq!(topology.jobs_queue(), "enhancer.jobs");
        assert_eq!(topology.retry_queue(RetryTier::M2), "enhancer.retry.2m");
        assert_eq!(topology.dead_route(), Route::new("enhancer.dead", "enhancer.dead"));
        assert_eq!(topology.jobs_route(), Route::queue("enhancer.jobs"));
        assert_eq!(topology.queues().len(), 7);
        assert_eq!(topology.delivery_limit(), Topology::DEFAULT_DELIVERY_LIMIT);
    }

    #[test]
    fn refuses_prefixes_the_broker_would_refuse_or_reserve() {
        for bad in ["", "amq.x", "has space", "slash/y", &"x".repeat(201)] {
            assert!(matches!(Topology::new(bad), Err(QueueError::InvalidPrefix(_))), "{bad:?}");
        }
        assert!(Topology::new("t-0190a3b2-7c4d.x_y").is_ok());
    }
}
