//! Error replies explained where they arrive, on the connection: redis-rs
//! hands a command's error reply over as a value ([`Value::ServerError`]) and
//! only turns it into an error later, so this is the one place that still
//! knows the command. A `WRONGTYPE` reply gets the name of the key holding
//! foreign data (TYPE on each key the command names); an I/O failure gets the
//! server's `host:port`; a `READONLY` reply is recognised for the failover
//! resend in [`super::link`].

use redis::aio::ConnectionLike;
use redis::{Cmd, RedisError, Value};

use super::redis_error::{ForeignKey, RedisReply, is_read_only, reply_of, with_address};

/// Whether `r` is, or holds, a `READONLY` reply. At the connection level
/// redis-rs hands error replies over as values; they become errors later.
pub fn has_read_only(r: &redis::RedisResult<Value>) -> bool {
    match r {
        Err(e) => is_read_only(e),
        Ok(Value::ServerError(se)) => se.code() == "READONLY",
        Ok(_) => false,
    }
}

/// As [`has_read_only`], for a pipeline's replies.
pub fn any_read_only(r: &redis::RedisResult<Vec<Value>>) -> bool {
    match r {
        Err(e) => is_read_only(e),
        Ok(vs) => vs
            .iter()
            .any(|v| matches!(v, Value::ServerError(se) if se.code() == "READONLY")),
    }
}

/// Whether `e` is a `WRONGTYPE` reply not yet explained by [`name_foreign_key`].
fn is_unexplained_wrong_type(e: &RedisError) -> bool {
    matches!(reply_of(e), Some(RedisReply::WrongType { key: None }))
}

/// `r` as the caller should see it: a `WRONGTYPE` reply names the key that
/// holds foreign data (found with TYPE on the keys `cmds` name), and an I/O
/// failure names `addr` (host:port).
pub async fn explain<C: ConnectionLike + Send>(
    con: &mut C,
    cmds: &[&Cmd],
    addr: &str,
    r: redis::RedisResult<Value>,
) -> redis::RedisResult<Value> {
    match r {
        Ok(v) => Ok(explain_value(con, cmds, v).await),
        Err(e) if is_unexplained_wrong_type(&e) => Err(name_foreign_key(con, cmds, e).await),
        Err(e) => Err(with_address(e, addr)),
    }
}

/// As [`explain`], for a pipeline's replies.
pub async fn explain_all<C: ConnectionLike + Send>(
    con: &mut C,
    cmds: &[&Cmd],
    addr: &str,
    r: redis::RedisResult<Vec<Value>>,
) -> redis::RedisResult<Vec<Value>> {
    match r {
        Ok(vs) => {
            let mut out = Vec::with_capacity(vs.len());
            for v in vs {
                out.push(explain_value(con, cmds, v).await);
            }
            Ok(out)
        }
        Err(e) if is_unexplained_wrong_type(&e) => Err(name_foreign_key(con, cmds, e).await),
        Err(e) => Err(with_address(e, addr)),
    }
}

async fn explain_value<C: ConnectionLike + Send>(con: &mut C, cmds: &[&Cmd], v: Value) -> Value {
    let Value::ServerError(se) = &v else {
        return v;
    };
    let e = RedisError::from(se.clone());
    if !is_unexplained_wrong_type(&e) {
        return v;
    }
    match name_foreign_key(con, cmds, e).await.into_server_errors() {
        Some(named) if !named.is_empty() => Value::ServerError(named[0].1.clone()),
        _ => v,
    }
}

/// What ferroq keeps at `key`, judged by its last name segment(s) as laid out
/// in `bullmq-data-layout.md` §1.2-1.3; any other key of a queue is a job hash.
pub fn expected_type(key: &str) -> &'static str {
    let mut parts = key.rsplit(':');
    let last = parts.next().unwrap_or("");
    let before = parts.next().unwrap_or("");
    match (before, last) {
        ("metrics", _) => "hash",
        (_, "data") if key.contains(":metrics:") => "list",
        ("de", _) => "string",
        ("dn", _) | ("repeat", _) => "hash",
        (_, "wait" | "active" | "paused" | "logs") => "list",
        (
            _,
            "prioritized" | "delayed" | "completed" | "failed" | "waiting-children" | "marker"
            | "repeat" | "unsuccessful",
        ) => "zset",
        (_, "stalled" | "dependencies") => "set",
        (_, "meta" | "processed") => "hash",
        (_, "events") => "stream",
        (_, "id" | "pc" | "limiter" | "stalled-check" | "lock") => "string",
        // `J:failed` (a hash of failed children) shares its suffix with the
        // queue's `failed` zset; the zset arm above wins, which is what a
        // queue-level key needs. Everything else is a job hash.
        _ => "hash",
    }
}

impl ForeignKey {
    /// How the connection layer passes a found key through a redis-rs error:
    /// `key\u{1}found\u{1}expected` in the WRONGTYPE reply's detail.
    fn encode(&self) -> String {
        format!("{}\u{1}{}\u{1}{}", self.key, self.found, self.expected)
    }

    pub(crate) fn decode(detail: &str) -> Option<ForeignKey> {
        let mut it = detail.split('\u{1}');
        let key = it.next()?.to_string();
        let found = it.next()?.to_string();
        let expected = match it.next()? {
            "list" => "list",
            "zset" => "zset",
            "set" => "set",
            "hash" => "hash",
            "stream" => "stream",
            "string" => "string",
            _ => return None,
        };
        Some(ForeignKey {
            key,
            found,
            expected,
        })
    }
}

/// The keys a command names: `EVAL`/`EVALSHA`'s KEYS, or a plain command's
/// first argument after its name.
fn command_keys(cmd: &Cmd) -> Vec<Vec<u8>> {
    let args: Vec<Vec<u8>> = cmd
        .args_iter()
        .filter_map(|a| match a {
            redis::Arg::Simple(b) => Some(b.to_vec()),
            _ => None,
        })
        .collect();
    let name = args
        .first()
        .map(|n| n.to_ascii_uppercase())
        .unwrap_or_default();
    if name == b"EVALSHA" || name == b"EVAL" || name == b"EVALSHA_RO" || name == b"EVAL_RO" {
        let n: usize = args
            .get(2)
            .and_then(|n| std::str::from_utf8(n).ok()?.parse().ok())
            .unwrap_or(0);
        return args.into_iter().skip(3).take(n).collect();
    }
    args.into_iter().skip(1).take(1).collect()
}

/// After a `WRONGTYPE` reply to `cmds`, finds which of the keys they name
/// holds something other than what ferroq keeps there (TYPE on each), and
/// returns the error with that key in it; `e` unchanged when none is found.
async fn name_foreign_key<C: ConnectionLike + Send>(
    con: &mut C,
    cmds: &[&Cmd],
    e: RedisError,
) -> RedisError {
    for cmd in cmds {
        for key in command_keys(cmd) {
            let Ok(name) = String::from_utf8(key) else {
                continue;
            };
            let found: String = match redis::cmd("TYPE").arg(&name).query_async(con).await {
                Ok(t) => t,
                Err(_) => return e,
            };
            let expected = expected_type(&name);
            if found != "none" && found != expected {
                let k = ForeignKey {
                    key: name,
                    found,
                    expected,
                };
                return redis::make_extension_error("WRONGTYPE".into(), Some(k.encode()));
            }
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::redis_error::classify;

    #[test]
    fn expected_types_follow_the_layout() {
        for (key, t) in [
            ("bull:q:wait", "list"),
            ("bull:q:delayed", "zset"),
            ("bull:q:meta", "hash"),
            ("bull:q:events", "stream"),
            ("bull:q:stalled", "set"),
            ("bull:q:id", "string"),
            ("bull:q:42", "hash"),
            ("bull:q:42:lock", "string"),
            ("bull:q:42:logs", "list"),
            ("bull:q:de:abc", "string"),
            ("bull:q:metrics:completed", "hash"),
            ("bull:q:metrics:completed:data", "list"),
            ("{b}:q:stalled-check", "string"),
        ] {
            assert_eq!(expected_type(key), t, "{key}");
        }
    }

    #[test]
    fn a_named_foreign_key_survives_the_round_trip() {
        let k = ForeignKey {
            key: "bull:q:wait".into(),
            found: "string".into(),
            expected: "list",
        };
        let e = redis::make_extension_error("WRONGTYPE".into(), Some(k.encode()));
        let msg = classify(e).to_string();
        assert!(
            msg.contains("\"bull:q:wait\" holds a string, but ferroq keeps a list"),
            "{msg}"
        );
    }
}
