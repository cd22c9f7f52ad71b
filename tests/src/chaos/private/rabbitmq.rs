//! The run's own RabbitMQ node, a second node beside the machine's: its own node name, AMQP and
//! distribution ports on loopback, and everything it writes (database, Erlang cookie, plugin expansion)
//! in a temporary directory; its log with the run's logs. A restart fault kills it as a crash would
//! (SIGKILL to the Erlang VM and its helpers) and boots it again with the same name and database, so the
//! durable quorum queues and their messages come back.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::daemon::{Daemon, DaemonSpec};

#[derive(Debug)]
pub struct Rabbitmq {
    /// Before `dir` on purpose: fields drop in order, so the node is dead before its directory goes.
    /// Crashed, restarted and torn down (also on drop) by the faults and the teardown.
    pub(super) daemon: Daemon,
    _dir: tempfile::TempDir,
}

impl Rabbitmq {
    pub async fn start(log_dir: &Path, port: u16, dist_port: u16) -> anyhow::Result<Rabbitmq> {
        let dir = tempfile::Builder::new().prefix("chaos-rabbitmq-").tempdir()?;
        let path = |name: &str| dir.path().join(name).display().to_string();
        // The listener is set here rather than left to RABBITMQ_NODE_PORT's default interface (all of them).
        std::fs::write(dir.path().join("rabbitmq.conf"), format!("listeners.tcp.default = 127.0.0.1:{port}\n"))?;
        // No plugins: the management and Prometheus listeners would clash with the machine's node's ports.
        std::fs::write(dir.path().join("enabled_plugins"), "")?;
        // Read instead of /etc/rabbitmq/rabbitmq-env.conf, whose NODENAME is the machine's node's.
        std::fs::write(dir.path().join("rabbitmq-env.conf"), "")?;
        let node = format!("chaos-{}@localhost", std::process::id());
        let env = [
            // The Erlang cookie is created in $HOME: a private one, and nothing written to root's home.
            ("HOME", dir.path().display().to_string()),
            ("RABBITMQ_CONF_ENV_FILE", path("rabbitmq-env.conf")),
            ("RABBITMQ_NODENAME", node.clone()),
            ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1".to_owned()),
            ("RABBITMQ_NODE_PORT", port.to_string()),
            // Explicit: its default (AMQP port + 20000) may be taken, by the machine's node among others.
            ("RABBITMQ_DIST_PORT", dist_port.to_string()),
            ("RABBITMQ_MNESIA_BASE", path("mnesia")),
            ("RABBITMQ_LOG_BASE", log_dir.join("rabbitmq").display().to_string()),
            ("RABBITMQ_CONFIG_FILE", path("rabbitmq.conf")),
            ("RABBITMQ_ADVANCED_CONFIG_FILE", path("advanced.config")),
            ("RABBITMQ_ENABLED_PLUGINS_FILE", path("enabled_plugins")),
            ("RABBITMQ_PID_FILE", path("rabbitmq.pid")),
            // The distribution port on loopback too, like the machine's node's.
            ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}".to_owned()),
            // Used only if no epmd runs yet and this node starts one.
            ("ERL_EPMD_ADDRESS", "127.0.0.1".to_owned()),
        ];
        let daemon = Daemon::new(DaemonSpec {
            name: "RabbitMQ",
            program: server_program(),
            args: Vec::new(),
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            cwd: dir.path().to_owned(),
            log: log_dir.join("rabbitmq.out"),
            port,
            ready_within: Duration::from_secs(120),
        });
        daemon.start().await?;
        Ok(Rabbitmq { daemon, _dir: dir })
    }

    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.daemon.port())
    }
}

/// `CHAOS_RABBITMQ_SERVER`, else the server script itself in Debian's layout (not /usr/sbin's wrapper,
/// which switches to the `rabbitmq` user and its home), else `rabbitmq-server` on `PATH`.
fn server_program() -> PathBuf {
    if let Ok(program) = std::env::var("CHAOS_RABBITMQ_SERVER") {
        return PathBuf::from(program);
    }
    let debian = PathBuf::from("/usr/lib/rabbitmq/bin/rabbitmq-server");
    if debian.exists() { debian } else { PathBuf::from("rabbitmq-server") }
}
