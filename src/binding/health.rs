//! Redis health for tools such as the `ferroq` CLI's `stats`: out of memory,
//! loading, a replica (see `engine::redis_health`).

use napi::Env;
use napi_derive::napi;

use super::channel::NativeChannel;
use super::options::{self, QueueHandleOptions};
use crate::engine::Queue;
use crate::engine::redis_health::RedisHealth;

/// The name of the queue handle used only for its connection.
const PROBE_QUEUE: &str = "ferroq-health";

/// What Redis's INFO says about whether it can take work.
#[napi(object)]
pub struct RedisHealthReport {
    /// `used_memory` in bytes.
    pub used_memory: f64,
    /// `maxmemory` in bytes (0 = no limit).
    pub maxmemory: f64,
    /// `maxmemory_policy`.
    pub maxmemory_policy: String,
    /// `master` or `slave`.
    pub role: String,
    /// Still loading its dataset.
    pub loading: bool,
    /// Over maxmemory with `noeviction`: adds are refused.
    pub out_of_memory: bool,
    /// What is wrong, in words; empty when Redis can take work.
    pub issues: Vec<String>,
}

impl From<RedisHealth> for RedisHealthReport {
    fn from(h: RedisHealth) -> Self {
        RedisHealthReport {
            used_memory: h.used_memory as f64,
            maxmemory: h.maxmemory as f64,
            maxmemory_policy: h.maxmemory_policy,
            role: h.role,
            loading: h.loading,
            out_of_memory: h.out_of_memory,
            issues: h.issues,
        }
    }
}

/// The state of the Redis that `opts` (`{ connection, prefix }` as for a
/// Queue) points at. A request on `channel`: resolves with a `RedisHealthReport`.
#[napi(catch_unwind)]
pub fn redis_health(env: &Env, channel: &NativeChannel, opts: QueueHandleOptions) -> u32 {
    channel.channel.request(env, async move {
        let (conn, qopts) = options::queue(&opts)?;
        let probe = Queue::new(PROBE_QUEUE, &conn, qopts)?;
        let health = probe.redis_health().await;
        probe.close();
        health.map(RedisHealthReport::from)
    })
}
