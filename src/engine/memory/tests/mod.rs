//! Tests of the embedded store: its commands (also compared with a real
//! redis-server), Lua scripting, blocking reads, expiry, the redis-rs bridge,
//! and the engine's Queue/Worker/QueueEvents running on `memory://`.

mod big_args;
mod blocking;
mod differential;
mod engine_events;
mod engine_jobs;
mod engine_worker;
mod expiry;
mod redis_rs;
mod scripting;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Connection, Store, open};
use redis::Value;

/// A store no other test uses (its name carries the test's tag).
pub fn fresh_store(tag: &str) -> Arc<Store> {
    static N: AtomicUsize = AtomicUsize::new(0);
    open(&format!("t-{tag}-{}", N.fetch_add(1, Ordering::Relaxed))).unwrap()
}

/// Runs one command given as words.
pub async fn run(con: &Connection, words: &[&str]) -> Value {
    con.command(words.iter().map(|w| w.as_bytes().to_vec()).collect())
        .await
        .into()
}

/// A reply as readable text for comparisons: bulk strings as text, errors as
/// `!CODE`, arrays bracketed.
pub fn show(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        Value::Int(i) => i.to_string(),
        Value::BulkString(b) => format!("\"{}\"", String::from_utf8_lossy(b)),
        Value::SimpleString(s) => format!("+{s}"),
        Value::Okay => "+OK".into(),
        Value::ServerError(e) => format!("!{}", e.code()),
        Value::Array(items) => {
            format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(" "))
        }
        other => format!("{other:?}"),
    }
}

/// A URL for a fresh named store, for engine tests.
pub fn memory_url(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("memory://e-{tag}-{}", N.fetch_add(1, Ordering::Relaxed))
}
