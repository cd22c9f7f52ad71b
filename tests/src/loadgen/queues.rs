//! Housekeeping of a benchmark's queues: empty `{prefix}.jobs` between runs, delete the whole topology at
//! the end.

use std::time::Duration;

use enhancer_shared::queue::{self, Topology};
use lapin::options::QueuePurgeOptions;
use secrecy::SecretString;

/// Empties `{prefix}.jobs`; returns how many messages it held.
pub async fn purge_jobs(amqp_url: &SecretString, prefix: &str) -> anyhow::Result<u32> {
    let topology = Topology::new(prefix)?;
    let connection = queue::connect(amqp_url, "loadgen-queues", Duration::from_secs(10)).await?;
    let channel = connection.create_channel().await?;
    let purged = channel.queue_purge(topology.jobs_queue().as_str().into(), QueuePurgeOptions::default()).await?;
    let _ = connection.close(200, "done".into()).await;
    Ok(purged)
}

/// Deletes every queue of the topology with its messages, and the dead-letter exchange.
pub async fn delete_all(amqp_url: &SecretString, prefix: &str) -> anyhow::Result<()> {
    let topology = Topology::new(prefix)?;
    let connection = queue::connect(amqp_url, "loadgen-queues", Duration::from_secs(10)).await?;
    let channel = connection.create_channel().await?;
    queue::delete_all(&channel, &topology).await?;
    let _ = connection.close(200, "done".into()).await;
    Ok(())
}
