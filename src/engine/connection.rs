//! Connecting to Redis: options, the shared command connection (reconnects by
//! itself) and dedicated blocking connections (no response timeout, named the
//! way BullMQ names its worker connections).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{
    AsyncConnectionConfig, Client, Cmd, ConnectionAddr, ConnectionInfo, IntoConnectionInfo,
    Pipeline, RedisFuture, Value,
};

use super::error::{Error, Result};
use super::explain::{explain, explain_all};
use super::link::Link;
use super::memory;
use super::redis_error::with_address;

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
    /// Redis Cluster seed nodes (`redis://host:port` URLs or `host:port`); when
    /// set, the queue runs on the cluster and its keys must share a hash tag.
    pub cluster: Option<Vec<String>>,
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
            .field(
                "cluster",
                &self
                    .cluster
                    .as_ref()
                    .map(|n| n.iter().map(|u| redact_url(u)).collect::<Vec<_>>()),
            )
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
        memory::url::check_scheme(self.url.as_deref())?;
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

/// Where connections go: one server, a Redis Cluster, or an embedded store.
#[derive(Clone)]
pub enum Target {
    /// A single server (or a managed endpoint that looks like one).
    Single(Box<Client>),
    /// A cluster, reached through its seed nodes.
    Cluster(Box<ClusterClient>),
    /// The in-process store named by a `memory://NAME` URL (not durable).
    Memory(Arc<memory::Store>),
}

impl ConnectionOptions {
    /// Builds the target (no I/O yet).
    pub fn target(&self) -> Result<Target> {
        if let Some(store) = memory::url::open_store(self)? {
            return Ok(Target::Memory(store));
        }
        let Some(nodes) = &self.cluster else {
            return Ok(Target::Single(Box::new(self.client()?)));
        };
        if nodes.is_empty() {
            return Err(Error::invalid(
                "connection.cluster",
                "needs at least one node",
            ));
        }
        let mut infos = Vec::with_capacity(nodes.len());
        for (i, n) in nodes.iter().enumerate() {
            let url = if n.contains("://") {
                n.clone()
            } else {
                format!("redis://{n}")
            };
            let per_node = ConnectionOptions {
                url: Some(url),
                cluster: None,
                ..self.clone()
            };
            let client = per_node.client().map_err(|_| {
                Error::invalid(
                    format!("connection.cluster[{i}]"),
                    "not a valid node address (host:port or redis:// URL)",
                )
            })?;
            infos.push(client.get_connection_info().clone());
        }
        let client = ClusterClient::builder(infos)
            .connection_timeout(Duration::from_millis(DEFAULT_CONNECT_TIMEOUT_MS))
            .response_timeout(Duration::from_millis(DEFAULT_RESPONSE_TIMEOUT_MS))
            .retries(6)
            .build()
            .map_err(|e| Error::invalid("connection.cluster", e.kind_str()))?;
        Ok(Target::Cluster(Box::new(client)))
    }
}

impl Target {
    /// Whether this is a cluster (keys of one queue must then share a slot).
    pub fn is_cluster(&self) -> bool {
        matches!(self, Target::Cluster(_))
    }
}

/// A connection: cheap to clone, reconnecting by itself after a drop (and
/// following MOVED on a cluster). Failures name the server ([`Link`]).
#[derive(Clone)]
pub enum Conn {
    /// One server, shared command connection.
    Single(Arc<Link>),
    /// One server, for blocking commands (no response timeout), and its `host:port`.
    Blocking(MultiplexedConnection, Arc<str>),
    /// A cluster.
    Cluster(ClusterConnection),
    /// The embedded store (`memory://`).
    Memory(memory::Connection),
}

impl Conn {
    /// Commands sent a second time after a drop (only a single server's link does).
    pub fn resends(&self) -> u64 {
        match self {
            Conn::Single(link) => link.resends(),
            _ => 0,
        }
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(link) => Box::pin(link.command(cmd)),
            Conn::Blocking(c, addr) => Box::pin(async move {
                let r = c.req_packed_command(cmd).await;
                explain(c, &[cmd], addr, r).await
            }),
            Conn::Cluster(c) => Box::pin(async move {
                let r = c.req_packed_command(cmd).await;
                explain(c, &[cmd], "the cluster", r).await
            }),
            Conn::Memory(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(link) => Box::pin(link.pipeline(pipeline, offset, count)),
            Conn::Blocking(c, addr) => Box::pin(async move {
                let r = c.req_packed_commands(pipeline, offset, count).await;
                let cmds: Vec<&Cmd> = pipeline.cmd_iter().collect();
                explain_all(c, &cmds, addr, r).await
            }),
            Conn::Cluster(c) => Box::pin(async move {
                let r = c.req_packed_commands(pipeline, offset, count).await;
                let cmds: Vec<&Cmd> = pipeline.cmd_iter().collect();
                explain_all(c, &cmds, "the cluster", r).await
            }),
            Conn::Memory(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(link) => link.get_db(),
            Conn::Blocking(c, _) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
            Conn::Memory(_) => 0,
        }
    }
}

/// The connection for ordinary commands and scripts. Lazy: connects on first
/// use (must be called inside a tokio runtime).
pub fn command_connection(target: &Target) -> Result<Conn> {
    match target {
        Target::Single(client) => Ok(Conn::Single(Link::new(
            (**client).clone(),
            Duration::from_millis(DEFAULT_RESPONSE_TIMEOUT_MS),
            Duration::from_millis(DEFAULT_CONNECT_TIMEOUT_MS),
        )?)),
        Target::Cluster(client) => Ok(Conn::Cluster(
            client.get_pending_async_connection_with_config(ClusterConfig::new()),
        )),
        Target::Memory(store) => Ok(Conn::Memory(store.connect())),
    }
}

/// A dedicated connection for blocking commands (BZPOPMIN, XREAD BLOCK), with no
/// response timeout. On a single server it is named `name` (CLIENT SETNAME) so
/// that `getWorkers()` and dashboards see it.
pub async fn blocking_connection(target: &Target, name: &str) -> Result<Conn> {
    match target {
        Target::Single(client) => {
            let config = AsyncConnectionConfig::new()
                .set_response_timeout(None)
                .set_connection_timeout(Some(Duration::from_millis(DEFAULT_CONNECT_TIMEOUT_MS)));
            let addr: Arc<str> = client.get_connection_info().addr().to_string().into();
            let con = client
                .get_multiplexed_async_connection_with_config(&config)
                .await
                .map_err(|e| with_address(e, &addr))?;
            let mut con = Conn::Blocking(con, addr);
            redis::cmd("CLIENT")
                .arg("SETNAME")
                .arg(name)
                .query_async::<()>(&mut con)
                .await?;
            Ok(con)
        }
        Target::Cluster(client) => {
            // A cluster connection of its own, so a blocked command never holds
            // up the shared one; blocking reads may last as long as they ask.
            let config = ClusterConfig::new()
                .set_connection_timeout(Duration::from_millis(DEFAULT_CONNECT_TIMEOUT_MS))
                .set_response_timeout(Duration::from_secs(24 * 3600));
            Ok(Conn::Cluster(
                client.get_async_connection_with_config(config).await?,
            ))
        }
        Target::Memory(s) => Ok(Conn::Memory(
            s.connect_named(name).map_err(Error::Connection)?,
        )),
    }
}

/// On a cluster every key of a queue must hash to one slot: the key base
/// (`<prefix>:<name>:`) must carry a non-empty `{hash tag}`.
pub fn check_cluster_keys(base: &str) -> Result<()> {
    let tagged = base
        .find('{')
        .and_then(|open| base[open + 1..].find('}').map(|len| len > 0))
        .unwrap_or(false);
    if tagged {
        Ok(())
    } else {
        Err(Error::invalid(
            "prefix",
            format!(
                "on Redis Cluster the keys \"{base}*\" would spread one queue over many slots; put a hash tag in the prefix (prefix: '{{bull}}') or the queue name ('{{myqueue}}')"
            ),
        ))
    }
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
    fn cluster_keys_need_a_hash_tag() {
        assert!(check_cluster_keys("{bull}:q:").is_ok());
        assert!(check_cluster_keys("bull:{q}:").is_ok());
        assert!(check_cluster_keys("bull:q:").is_err());
        assert!(check_cluster_keys("bull:{}:").is_err());
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
