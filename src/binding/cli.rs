//! Queue discovery for the `ferroq` command line (`src/js/cli.js`): which
//! queues exist under a prefix, read from the two keys a BullMQ-layout queue
//! keeps for its whole life (`meta`, written on first use, and `id`, the job
//! id counter). Key names still come from `QueueKeys`: a template queue whose
//! name is a placeholder is split around it to get the SCAN pattern.

use std::collections::BTreeSet;

use napi::Env;
use napi_derive::napi;

use super::channel::NativeChannel;
use super::options::{self, QueueHandleOptions};
use crate::engine::keys::{QueueKeys, glob_escape};
use crate::engine::queue::validate_queue_name;
use crate::engine::{self, Error, Queue};

/// Keys Redis looks at per SCAN call: bounds the work of each round trip on a
/// busy server while keeping the number of round trips small.
const SCAN_COUNT: u32 = 1000;

/// The name of the queue handle used only for its connection; it reads and
/// writes none of its own keys.
const PROBE_QUEUE: &str = "ferroq-cli";

/// Stands in for the queue name in the key template. Queue names cannot hold
/// it in practice, and a prefix holding it only makes discovery find nothing.
const PLACEHOLDER: &str = "\u{0}";

/// One kind of queue key, split around the queue name: `<head><name><tail>`.
struct KeyShape {
    head: String,
    tail: String,
}

impl KeyShape {
    fn of(prefix: &str, pick: fn(&QueueKeys) -> &String) -> engine::Result<KeyShape> {
        let template = QueueKeys::new(prefix, PLACEHOLDER);
        let (head, tail) = pick(&template)
            .split_once(PLACEHOLDER)
            .ok_or_else(|| Error::invalid("prefix", "must not contain a NUL character"))?;
        Ok(KeyShape {
            head: head.to_string(),
            tail: tail.to_string(),
        })
    }

    /// The SCAN MATCH pattern: the prefix is literal, the name is `*`.
    fn pattern(&self) -> String {
        format!("{}*{}", glob_escape(&self.head), glob_escape(&self.tail))
    }

    /// The queue name in `key`, if `key` has this shape. A name with ':' is a
    /// job's key (`<prefix>:<queue>:<jobId>:...`), not a queue's.
    fn name<'k>(&self, key: &'k str) -> Option<&'k str> {
        let name = key.strip_prefix(&self.head)?.strip_suffix(&self.tail)?;
        validate_queue_name(name).ok().map(|_| name)
    }
}

fn meta_key(k: &QueueKeys) -> &String {
    &k.meta
}

fn id_key(k: &QueueKeys) -> &String {
    &k.id
}

/// Sends `cmd` on the probe queue's connection and parses the reply.
async fn query<T: redis::FromRedisValue>(con: &Queue, cmd: &redis::Cmd) -> engine::Result<T> {
    let reply = con.raw(cmd).await?;
    redis::from_redis_value(reply).map_err(|e| Error::from(redis::RedisError::from(e)))
}

/// Every key matching `pattern`, walking the whole SCAN cursor. Keys that are
/// not UTF-8 cannot be ferroq queue keys and are skipped.
async fn scan(con: &Queue, pattern: &str) -> engine::Result<Vec<String>> {
    let mut cursor: u64 = 0;
    let mut out = Vec::new();
    loop {
        let mut cmd = redis::cmd("SCAN");
        cmd.arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(SCAN_COUNT);
        let (next, keys): (u64, Vec<Vec<u8>>) = query(con, &cmd).await?;
        out.extend(keys.into_iter().filter_map(|k| String::from_utf8(k).ok()));
        if next == 0 {
            return Ok(out);
        }
        cursor = next;
    }
}

/// Names of the queues found under `prefix`, sorted.
async fn discover(con: &Queue, prefix: &str) -> engine::Result<Vec<String>> {
    let mut names = BTreeSet::new();
    for pick in [meta_key, id_key] {
        let shape = KeyShape::of(prefix, pick)?;
        for key in scan(con, &shape.pattern()).await? {
            if let Some(name) = shape.name(&key) {
                names.insert(name.to_string());
            }
        }
    }
    Ok(names.into_iter().collect())
}

/// Those of `names` that exist under `prefix` (have a `meta` or `id` key), in
/// the order given.
async fn existing(con: &Queue, prefix: &str, names: Vec<String>) -> engine::Result<Vec<String>> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        validate_queue_name(&name)?;
        let keys = QueueKeys::new(prefix, &name);
        let mut cmd = redis::cmd("EXISTS");
        cmd.arg(&keys.meta).arg(&keys.id);
        let found: u64 = query(con, &cmd).await?;
        if found > 0 {
            out.push(name);
        }
    }
    Ok(out)
}

/// The queues under a prefix, for tools such as the `ferroq` CLI.
/// `opts`: `{ connection, prefix }` as for a Queue. Without `names`,
/// resolves with every queue found by SCAN (sorted; on a Redis Cluster only
/// the node the connection reaches is scanned). With `names`, resolves with
/// those of them that exist, in the order given.
/// A request on `channel`: resolves with the names (string[]).
#[napi(catch_unwind)]
pub fn list_queues(
    env: &Env,
    channel: &NativeChannel,
    opts: QueueHandleOptions,
    names: Option<Vec<String>>,
) -> u32 {
    channel.channel.request(env, async move {
        let (conn, qopts) = options::queue(&opts)?;
        // A queue handle only for its connection: the engine's way to
        // connect, with its timeouts and reconnects.
        let prefix = qopts.prefix.clone();
        let con = Queue::new(PROBE_QUEUE, &conn, qopts)?;
        let found = match names {
            Some(names) => existing(&con, &prefix, names).await,
            None => discover(&con, &prefix).await,
        };
        con.close();
        found
    })
}
