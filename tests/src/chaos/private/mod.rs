//! The run's own PostgreSQL, RabbitMQ and Redis, so that their restart faults disturb nobody else on the
//! machine (the shared services on the standard ports are never touched): each on free loopback ports with
//! its data in a temporary directory, restarted hard on a fault, and torn down when the run ends, whether it
//! met its targets, failed or was interrupted (explicitly, and again from `Drop` as a last resort).

mod daemon;
mod postgres;
mod rabbitmq;
mod redis;

use std::path::Path;
use std::time::Duration;

use crate::faults::Kind;
use crate::procs::free_port;

#[derive(Debug)]
pub struct PrivateServices {
    pub postgres: postgres::Postgres,
    pub rabbitmq: rabbitmq::Rabbitmq,
    pub redis: redis::Redis,
}

impl PrivateServices {
    /// Starts all three (the RabbitMQ node takes the longest) and waits until each accepts connections.
    pub async fn start(log_dir: &Path) -> anyhow::Result<PrivateServices> {
        let started = std::time::Instant::now();
        // Redis first: a failure of the slower two then still tears it down (it is dropped with the error).
        let redis = redis::Redis::start(log_dir, free_port()?).await?;
        let (postgres, rabbitmq) = tokio::join!(
            postgres::Postgres::start(log_dir, free_port()?),
            rabbitmq::Rabbitmq::start(log_dir, free_port()?, free_port()?),
        );
        let services = PrivateServices { postgres: postgres?, rabbitmq: rabbitmq?, redis };
        println!(
            "chaos: private services up in {:.1} s: {}, {}, {}",
            started.elapsed().as_secs_f64(),
            services.postgres.url(),
            services.rabbitmq.url().replace("guest:guest@", ""),
            services.redis.url()
        );
        Ok(services)
    }

    /// The restart fault of `kind`: the service down for `down_for`, then up again; a description.
    pub async fn restart(&self, kind: Kind, down_for: Duration) -> anyhow::Result<String> {
        let how = match kind {
            Kind::RestartPostgres => {
                self.postgres.crash_and_restart(down_for).await?;
                "PostgreSQL: pg_ctl stop -m immediate"
            }
            Kind::RestartRabbitmq => {
                self.rabbitmq.daemon.crash_and_restart(down_for).await?;
                "RabbitMQ: SIGKILL"
            }
            Kind::RestartRedis => {
                self.redis.daemon.crash_and_restart(down_for).await?;
                "Redis: SIGKILL"
            }
            other => anyhow::bail!("{} is not a service restart", other.name()),
        };
        Ok(format!("{how}, started again after {:.0} s on the same port and data", down_for.as_secs_f64()))
    }

    /// Stops all three at once; idempotent.
    pub fn teardown(&self) {
        self.redis.daemon.teardown();
        self.rabbitmq.daemon.teardown();
        self.postgres.teardown();
    }
}
