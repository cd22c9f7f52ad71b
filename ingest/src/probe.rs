//! `enhancer-ingest probe`: asks this container's own admin port for `/readyz` and exits 0 when it is
//! ready. For compose's healthcheck: the distroless image has no shell and no curl, and the chart's
//! Kubernetes probes do not need it.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// The whole probe (connect, ask, read the status line) gets at most this: a healthcheck that hangs is
/// worse than one that fails, and compose's own timeout is coarser.
const TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("cannot reach the admin port {address}: {source}")]
    Unreachable { address: SocketAddr, source: std::io::Error },
    #[error("/readyz answered {status_line:?}")]
    NotReady { status_line: String },
}

/// The address to ask for the admin listener bound to `admin_listen`: an unspecified address (all
/// interfaces) is asked on loopback.
pub fn target(admin_listen: SocketAddr) -> SocketAddr {
    if admin_listen.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), admin_listen.port())
    } else {
        admin_listen
    }
}

/// `GET /readyz` on `address`; `Ok` on a 200.
pub fn readyz(address: SocketAddr) -> Result<(), ProbeError> {
    let unreachable = |source| ProbeError::Unreachable { address, source };
    let mut stream = TcpStream::connect_timeout(&address, TIMEOUT).map_err(unreachable)?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(unreachable)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(unreachable)?;
    stream.write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").map_err(unreachable)?;
    let mut head = [0_u8; 64];
    let read = stream.read(&mut head).map_err(unreachable)?;
    let status_line = String::from_utf8_lossy(&head[..read]).lines().next().unwrap_or_default().to_owned();
    if status_line.starts_with("HTTP/1.1 200") { Ok(()) } else { Err(ProbeError::NotReady { status_line }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_interfaces_are_probed_on_loopback() {
        assert_eq!(target("0.0.0.0:9091".parse().expect("addr")).to_string(), "127.0.0.1:9091");
        assert_eq!(target("10.0.0.5:9091".parse().expect("addr")).to_string(), "10.0.0.5:9091");
    }

    #[test]
    fn a_closed_port_is_unreachable() {
        let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = free.local_addr().expect("addr");
        drop(free);
        assert!(matches!(readyz(address), Err(ProbeError::Unreachable { .. })));
    }
}
