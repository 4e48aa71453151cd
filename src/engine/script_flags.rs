//! Redis 7 script flags: which transitions may run while Redis is out of
//! memory, and which servers understand flags at all.
//!
//! With `maxmemory` and the `noeviction` policy (the only one BullMQ supports),
//! a full Redis refuses every write. Without help that deadlocks a queue: the
//! workers cannot run the scripts that would finish jobs and free memory. A
//! script whose source starts with `#!lua flags=allow-oom` runs its writes
//! anyway. ferroq marks the transitions that only move, settle, renew or
//! remove jobs ([`ALLOW_OOM`]); adding jobs, progress, logs and data updates
//! grow memory and stay refused, with `ERR_FERROQ_REDIS_OOM`.
//!
//! Flags exist since Redis 7.0; older servers cannot compile the shebang line.
//! A queue asks the server its version once (`HELLO`, then `INFO server`) and
//! runs the unflagged source on servers older than 7 or of unknown version: a
//! full Redis then stops the workers too, as it stops BullMQ's, until memory
//! is freed by other means.
//!
//! A new transition that only moves, settles or removes jobs belongs in
//! [`ALLOW_OOM`]. Read-only scripts must NOT be flagged: a shebang script
//! without `allow-oom` is refused outright on a full Redis, while an
//! unflagged one is refused only at its first write.

use std::sync::OnceLock;

use redis::{RedisResult, Script, Value};

use super::queue::Queue;
use super::scripts::{self, Transition};

/// The first line that lets a script write while Redis is over `maxmemory`.
pub const ALLOW_OOM_SHEBANG: &str = "#!lua flags=allow-oom\n";

/// Transitions that only move, settle, renew or remove jobs, by name.
pub const ALLOW_OOM: &[&str] = &[
    "move_to_active",
    "move_to_finished",
    "extend_locks",
    "move_stalled_jobs_to_wait",
    "move_job_from_active_to_wait",
    "move_to_delayed",
    "remove_job",
    "clean_jobs_in_set",
    "drain",
    "obliterate",
    "move_jobs_to_wait",
    "promote",
    "reprocess_job",
    "change_delay",
    "change_priority",
    "remove_job_scheduler",
    "move_to_waiting_children",
];

/// What ferroq needs to know about the server behind a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerFeatures {
    /// `major.minor.patch`, when the server said.
    pub version: Option<(u32, u32, u32)>,
    /// Whether scripts may carry a `#!lua flags=...` line (Redis >= 7).
    pub script_flags: bool,
}

impl ServerFeatures {
    /// Features of a server reporting `version` (`None`: unknown, so no flags).
    pub fn of(version: Option<(u32, u32, u32)>) -> Self {
        ServerFeatures {
            version,
            script_flags: version.is_some_and(|(major, _, _)| major >= 7),
        }
    }
}

/// Parses `7.0.15` (extra parts or suffixes are ignored).
pub fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.trim().split('.').map(|p| {
        p.chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse::<u32>()
            .ok()
    });
    let major = it.next()??;
    let minor = it.next().flatten().unwrap_or(0);
    let patch = it.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

/// The flagged script of `t`, when `t` is in [`ALLOW_OOM`] (compiled once).
pub fn allow_oom_script(t: &Transition) -> Option<&'static Script> {
    static CACHE: OnceLock<Vec<(&'static str, Script)>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        scripts::ALL
            .iter()
            .filter(|t| ALLOW_OOM.contains(&t.name))
            .map(|t| {
                (
                    t.name,
                    Script::new(&format!("{ALLOW_OOM_SHEBANG}{}", t.source)),
                )
            })
            .collect()
    });
    all.iter().find(|(n, _)| *n == t.name).map(|(_, s)| s)
}

impl Queue {
    /// The server's features, asked once per queue (again after a failed ask).
    pub async fn server_features(&self) -> RedisResult<ServerFeatures> {
        let features = self
            .inner
            .server
            .get_or_try_init(|| async {
                let mut con = self
                    .con()
                    .map_err(|_| redis::RedisError::from((redis::ErrorKind::Client, "closed")))?;
                ask_version(&mut con).await.map(ServerFeatures::of)
            })
            .await?;
        Ok(*features)
    }

    /// The script to run for `t` on this queue's server: flagged `allow-oom`
    /// when the transition qualifies and the server understands flags.
    pub(crate) async fn script(&self, t: &'static Transition) -> RedisResult<&'static Script> {
        if let Some(flagged) = allow_oom_script(t)
            && self.server_features().await?.script_flags
        {
            return Ok(flagged);
        }
        Ok(t.script())
    }
}

/// The server's version: `HELLO` (Redis >= 6, any user may run it), else
/// `INFO server`; `None` when neither says (servers older than 6 have no
/// HELLO, so they land here, and get no flags). While the server cannot
/// answer at all (down, loading, credentials refused) this is an error, so
/// that nothing is concluded from it.
async fn ask_version<C: redis::aio::ConnectionLike + Send>(
    con: &mut C,
) -> RedisResult<Option<(u32, u32, u32)>> {
    // Unknown command, or not allowed for this ACL user: ask another way.
    let refused = |e: &redis::RedisError| matches!(e.code(), Some("ERR" | "NOPERM"));
    match redis::cmd("HELLO").query_async::<Value>(con).await {
        Ok(v) => {
            if let Some(version) = field(&v, "version") {
                return Ok(parse_version(&version));
            }
        }
        Err(e) if refused(&e) => {}
        Err(e) => return Err(e),
    }
    match redis::cmd("INFO")
        .arg("server")
        .query_async::<String>(con)
        .await
    {
        Ok(info) => Ok(info
            .lines()
            .find_map(|l| l.strip_prefix("redis_version:"))
            .and_then(parse_version)),
        Err(e) if refused(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A field of HELLO's reply (a flat array under RESP2, a map under RESP3).
fn field(v: &Value, name: &str) -> Option<String> {
    let text = |v: &Value| redis::from_redis_value_ref::<String>(v).ok();
    match v {
        Value::Array(items) => items
            .chunks(2)
            .find(|kv| kv.len() == 2 && text(&kv[0]).as_deref() == Some(name))
            .and_then(|kv| text(&kv[1])),
        Value::Map(pairs) => pairs
            .iter()
            .find(|(k, _)| text(k).as_deref() == Some(name))
            .and_then(|(_, v)| text(v)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_decide_flags() {
        assert_eq!(parse_version("7.0.15"), Some((7, 0, 15)));
        assert_eq!(parse_version("6.2.14"), Some((6, 2, 14)));
        assert_eq!(parse_version("7.2.4-rc1"), Some((7, 2, 4)));
        assert_eq!(parse_version("255.255.255"), Some((255, 255, 255)));
        assert_eq!(parse_version("x"), None);
        assert!(ServerFeatures::of(Some((7, 0, 0))).script_flags);
        assert!(!ServerFeatures::of(Some((6, 2, 14))).script_flags);
        assert!(!ServerFeatures::of(None).script_flags);
    }

    #[test]
    fn every_listed_transition_exists_and_gets_the_shebang_first() {
        for name in ALLOW_OOM {
            let t = scripts::ALL
                .iter()
                .find(|t| t.name == *name)
                .unwrap_or_else(|| panic!("{name} is not a transition"));
            assert!(allow_oom_script(t).is_some(), "{name}");
        }
        // Adding jobs or data grows memory: never allowed past maxmemory.
        for name in ["add_jobs", "update_progress", "add_log", "update_data"] {
            assert!(!ALLOW_OOM.contains(&name), "{name}");
        }
    }
}
