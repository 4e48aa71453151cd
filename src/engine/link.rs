//! The shared command connection to one server, and how every connection
//! reports failures:
//!
//! - **Fast return.** A command sent while Redis is away tries to connect
//!   twice (100-250 ms apart) and fails; nothing waits on a growing backoff,
//!   so the first command after Redis is back reconnects at once. The loops
//!   that keep trying (worker, QueueEvents) pace themselves with
//!   [`super::retry::Outage`].
//! - **Failover.** A `READONLY` reply means the server became a replica:
//!   the link opens a new connection (a DNS name or proxy then leads to the
//!   new master) and sends the command once more. A refused write never ran,
//!   so sending it again is safe.
//! - **Readable errors.** Connection failures name `host:port`; a
//!   `WRONGTYPE` reply names the key that holds foreign data.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Cmd, Pipeline, RedisResult, Value};

use super::explain::{any_read_only, explain, explain_all, has_read_only};

/// Connection attempts per command while Redis is unreachable (after the first).
const CONNECT_RETRIES: usize = 1;
/// Shortest and longest pause between those attempts.
const CONNECT_RETRY_MIN_MS: u64 = 100;
const CONNECT_RETRY_MAX_MS: u64 = 250;

/// One server's shared, reconnecting command connection.
pub struct Link {
    client: Client,
    config: ConnectionManagerConfig,
    /// `host:port`, for error messages.
    addr: String,
    current: RwLock<(u64, ConnectionManager)>,
    /// Commands sent a second time after "connection dropped" (see [`send`]).
    resends: AtomicU64,
}

impl Link {
    /// A lazy link: connects on first use (inside a tokio runtime).
    pub fn new(
        client: Client,
        response_timeout: Duration,
        connect_timeout: Duration,
    ) -> RedisResult<Arc<Link>> {
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(response_timeout))
            .set_connection_timeout(Some(connect_timeout))
            .set_number_of_retries(CONNECT_RETRIES)
            .set_min_delay(Duration::from_millis(CONNECT_RETRY_MIN_MS))
            .set_max_delay(Duration::from_millis(CONNECT_RETRY_MAX_MS));
        let addr = client.get_connection_info().addr().to_string();
        let manager = ConnectionManager::new_lazy_with_config(client.clone(), config.clone())?;
        Ok(Arc::new(Link {
            client,
            config,
            addr,
            current: RwLock::new((0, manager)),
            resends: AtomicU64::new(0),
        }))
    }

    /// `host:port` of the server.
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// The current connection and its generation (bumped on each replacement).
    fn manager(&self) -> (u64, ConnectionManager) {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the connection after a `READONLY` reply, unless another caller
    /// already replaced generation `seen`.
    fn replace(&self, seen: u64) -> (u64, ConnectionManager) {
        let mut cur = self.current.write().unwrap_or_else(|e| e.into_inner());
        if cur.0 == seen
            && let Ok(fresh) =
                ConnectionManager::new_lazy_with_config(self.client.clone(), self.config.clone())
        {
            tracing::warn!(redis = %self.addr, "Redis answered READONLY (it is a replica now): reconnecting");
            *cur = (seen + 1, fresh);
        }
        cur.clone()
    }

    /// Sends one command: see the module docs for what happens on failure.
    pub async fn command(&self, cmd: &Cmd) -> RedisResult<Value> {
        let (generation, mut con) = self.manager();
        let mut r = send(&mut con, cmd, &self.resends).await;
        if has_read_only(&r) {
            con = self.replace(generation).1;
            r = send(&mut con, cmd, &self.resends).await;
        }
        explain(&mut con, &[cmd], &self.addr, r).await
    }

    /// Sends a pipeline, as [`Link::command`] does one command.
    pub async fn pipeline(
        &self,
        pipeline: &Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisResult<Vec<Value>> {
        let (generation, mut con) = self.manager();
        let mut r = send_all(&mut con, pipeline, offset, count, &self.resends).await;
        if any_read_only(&r) {
            con = self.replace(generation).1;
            r = send_all(&mut con, pipeline, offset, count, &self.resends).await;
        }
        let cmds: Vec<&Cmd> = pipeline.cmd_iter().collect();
        explain_all(&mut con, &cmds, &self.addr, r).await
    }

    /// How many commands went a second time after their connection dropped:
    /// each may have been applied twice, or applied with only its reply lost.
    pub fn resends(&self) -> u64 {
        self.resends.load(Ordering::Relaxed)
    }

    /// The database index.
    pub fn get_db(&self) -> i64 {
        self.manager().1.get_db()
    }
}

/// One command; a dropped connection is noticed only by the next command, so
/// on "connection dropped" the command goes once more on the new connection
/// (as ioredis resends unfulfilled commands). Without this an idle Queue's
/// first command after Redis came back always failed.
async fn send(con: &mut ConnectionManager, cmd: &Cmd, resends: &AtomicU64) -> RedisResult<Value> {
    match con.req_packed_command(cmd).await {
        Err(e) if e.is_connection_dropped() => {
            resends.fetch_add(1, Ordering::Relaxed);
            con.req_packed_command(cmd).await
        }
        r => r,
    }
}

async fn send_all(
    con: &mut ConnectionManager,
    pipeline: &Pipeline,
    offset: usize,
    count: usize,
    resends: &AtomicU64,
) -> RedisResult<Vec<Value>> {
    match con.req_packed_commands(pipeline, offset, count).await {
        Err(e) if e.is_connection_dropped() => {
            resends.fetch_add(1, Ordering::Relaxed);
            con.req_packed_commands(pipeline, offset, count).await
        }
        r => r,
    }
}
