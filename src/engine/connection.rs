//! Connecting to Redis: options, the shared command connection (reconnects by
//! itself) and dedicated blocking connections (no response timeout, named the
//! way BullMQ names its worker connections).

use std::fmt;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::{AsyncConnectionConfig, Client, ConnectionAddr, ConnectionInfo, IntoConnectionInfo};

use super::error::{Error, Result};

/// How long one command may take before it is failed (blocking commands use
/// their own connection without this limit).
pub const DEFAULT_RESPONSE_TIMEOUT_MS: u64 = 30_000;
/// How long one connection attempt may take.
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 10_000;

/// Where and how to connect. The password never appears in `Debug` output.
#[derive(Clone, Default)]
pub struct ConnectionOptions {
    /// `redis://` or `rediss://` URL; fields below override its parts.
    pub url: Option<String>,
    /// Host name (default `127.0.0.1`).
    pub host: Option<String>,
    /// Port (default 6379).
    pub port: Option<u16>,
    /// ACL user name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Database index.
    pub db: Option<i64>,
    /// Use TLS.
    pub tls: bool,
    /// A PEM root certificate to trust instead of the system roots (self-signed servers).
    pub tls_ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for ConnectionOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionOptions")
            .field("url", &self.url.as_deref().map(redact_url))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("db", &self.db)
            .field("tls", &self.tls)
            .finish()
    }
}

/// Replaces the password part of a Redis URL with `***`.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((auth, host)) = rest.rsplit_once('@')
    {
        let user = auth.split_once(':').map(|(u, _)| u).unwrap_or("");
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

impl ConnectionOptions {
    /// Builds the redis-rs client (no I/O yet).
    pub fn client(&self) -> Result<Client> {
        let mut info: ConnectionInfo = match &self.url {
            Some(url) => url.as_str().into_connection_info().map_err(|e| {
                Error::invalid(
                    "connection.url",
                    format!("not a valid redis:// URL ({})", e.kind_str()),
                )
            })?,
            None => ("127.0.0.1", 6379u16)
                .into_connection_info()
                .map_err(|e| Error::invalid("connection", e.kind_str()))?,
        };
        if self.host.is_some() || self.port.is_some() || self.tls {
            let (host, port, tls) = match info.addr() {
                ConnectionAddr::Tcp(h, p) => (h.clone(), *p, false),
                ConnectionAddr::TcpTls { host, port, .. } => (host.clone(), *port, true),
                _ => ("127.0.0.1".to_string(), 6379, false),
            };
            let host = self.host.clone().unwrap_or(host);
            let port = self.port.unwrap_or(port);
            let addr = if tls || self.tls {
                ConnectionAddr::TcpTls {
                    host,
                    port,
                    insecure: false,
                    tls_params: None,
                }
            } else {
                ConnectionAddr::Tcp(host, port)
            };
            info = info.set_addr(addr);
        }
        let mut redis_info = info.redis_settings().clone();
        if let Some(u) = &self.username {
            redis_info = redis_info.set_username(u);
        }
        if let Some(p) = &self.password {
            redis_info = redis_info.set_password(p);
        }
        if let Some(db) = self.db {
            if db < 0 {
                return Err(Error::invalid("connection.db", "must be >= 0"));
            }
            redis_info = redis_info.set_db(db);
        }
        let info = info.set_redis_settings(redis_info);
        let client = match &self.tls_ca_pem {
            Some(ca) => Client::build_with_tls(
                info,
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca.clone()),
                },
            ),
            None => Client::open(info),
        };
        client.map_err(|e| Error::invalid("connection", e.kind_str()))
    }
}

/// The connection for ordinary commands and scripts: multiplexed, shared by all
/// users of a queue, reconnecting by itself after a drop.
pub fn command_connection(client: Client) -> Result<ConnectionManager> {
    let config = ConnectionManagerConfig::new()
        .set_response_timeout(Some(Duration::from_millis(DEFAULT_RESPONSE_TIMEOUT_MS)))
        .set_connection_timeout(Some(Duration::from_millis(DEFAULT_CONNECT_TIMEOUT_MS)))
        .set_number_of_retries(3)
        .set_max_delay(Duration::from_secs(2));
    Ok(ConnectionManager::new_lazy_with_config(client, config)?)
}

/// A dedicated connection for blocking commands (BZPOPMIN, XREAD BLOCK), with no
/// response timeout, named `name` so that `getWorkers()` and dashboards see it.
pub async fn blocking_connection(client: &Client, name: &str) -> Result<MultiplexedConnection> {
    let config = AsyncConnectionConfig::new()
        .set_response_timeout(None)
        .set_connection_timeout(Some(Duration::from_millis(DEFAULT_CONNECT_TIMEOUT_MS)));
    let mut con = client
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    redis::cmd("CLIENT")
        .arg("SETNAME")
        .arg(name)
        .query_async::<()>(&mut con)
        .await?;
    Ok(con)
}

trait KindStr {
    fn kind_str(&self) -> String;
}

impl KindStr for redis::RedisError {
    // redis-rs parse errors can echo the URL; keep only the description.
    fn kind_str(&self) -> String {
        format!("{:?}", self.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let o = ConnectionOptions {
            url: Some("redis://user:s3cret@localhost:6379/2".into()),
            password: Some("s3cret".into()),
            ..Default::default()
        };
        let s = format!("{o:?}");
        assert!(!s.contains("s3cret"), "{s}");
    }

    #[test]
    fn bad_url_is_a_clear_error_without_secrets() {
        let o = ConnectionOptions {
            url: Some("http://user:s3cret@x".into()),
            ..Default::default()
        };
        let e = o.client().unwrap_err();
        assert!(!e.to_string().contains("s3cret"));
        assert!(e.to_string().contains("connection.url"));
    }
}
