//! Redis health for tools such as the `ferroq` CLI's `stats`: out of memory,
//! loading, a replica (see `engine::redis_health`).

use napi::Env;
use napi_derive::napi;

use super::channel::NativeChannel;
use super::options;
use crate::engine::{Error, Queue};

/// The name of the queue handle used only for its connection.
const PROBE_QUEUE: &str = "ferroq-health";

/// The state of the Redis that `optsJson` (`{ connection, prefix }` as for a
/// Queue) points at. A request on `channel`: resolves with JSON text
/// `{ usedMemory, maxmemory, maxmemoryPolicy, role, loading, outOfMemory, issues }`.
#[napi(catch_unwind)]
pub fn redis_health(env: &Env, channel: &NativeChannel, opts_json: String) -> u32 {
    channel.channel.request(env, async move {
        let o = options::parse(&opts_json, "opts")?;
        let (conn, qopts) = options::queue(&o)?;
        let probe = Queue::new(PROBE_QUEUE, &conn, qopts)?;
        let health = probe.redis_health().await;
        probe.close();
        serde_json::to_string(&health?).map_err(|e| Error::CorruptData {
            what: "Redis INFO".into(),
            reason: e.to_string(),
        })
    })
}
