//! The add lane, sans I/O: adds sent on a connection the caller owns (the JS
//! thread's own socket, so that an awaited `add()` costs no hand-off between
//! threads), while the engine keeps owning what is sent and what each reply
//! means. The caller opens a socket where [`Queue::lane_plan`] says, writes
//! the plan's handshake, then per batch of adds the bytes of
//! [`Queue::lane_encode`]; it feeds what the socket reads to a
//! [`LaneReader`] and settles each batch with [`lane_answer`] of its reply.
//!
//! Only single servers over plain TCP or a unix socket qualify: a cluster, the
//! embedded store and TLS keep the engine's own connections.

use redis::{ConnectionAddr, Value};

use super::{NewJob, Queue};
use crate::engine::connection::{DEFAULT_RESPONSE_TIMEOUT_MS, Target};
use crate::engine::error::{Error, Result};
use crate::engine::redis_error::classify;
use crate::engine::resp::Replies;
use crate::engine::scripts;
use crate::engine::transitions::add_jobs::AddJobs;

/// Where a lane connects and what it sends first.
#[derive(Debug, Clone)]
pub struct LanePlan {
    /// Host name or address (TCP), when not a unix socket.
    pub host: Option<String>,
    /// TCP port.
    pub port: u16,
    /// Unix socket path, when the server is reached that way.
    pub path: Option<String>,
    /// RESP2 commands to write before anything else: `AUTH` when credentials
    /// are set, `SELECT` for a database other than 0, `SCRIPT LOAD` of
    /// `add_jobs` (so that a `NOSCRIPT` reply is rare).
    pub handshake: Vec<u8>,
    /// How many replies the handshake gets ([`LaneReader`] consumes them).
    pub handshake_replies: u32,
    /// How long (ms) the socket may stay silent while a reply is awaited
    /// before it counts as broken: the engine connection's response timeout.
    pub timeout_ms: u64,
}

/// The bytes of a lone add with given options, in pieces around what varies
/// (name, data, creation time), so the caller can build it without a call
/// into the engine per add:
/// `head ‖ bulk(name) ‖ bulk(data) ‖ mid ‖ bulk(timestamp) ‖ tail`, where
/// `bulk(x)` is `$<bytes of x>\r\n<x>\r\n`. It applies to data of at most
/// `max_data_bytes` (0: no limit) and a timestamp in ms above 0; anything
/// else goes through [`Queue::lane_encode`], which reports the error.
#[derive(Debug, Clone)]
pub struct LaneTemplate {
    /// The command's start, up to the job's name.
    pub head: String,
    /// Between the data and the timestamp (the stored options).
    pub mid: String,
    /// After the timestamp (delay, priority, lifo, deduplication).
    pub tail: String,
    /// The most data (bytes) the queue and the options allow, 0 for no limit.
    pub max_data_bytes: u64,
}

/// What one lane reply means for its batch of adds.
#[derive(Debug)]
pub enum LaneAnswer {
    /// One id per job, in order.
    Added(Vec<String>),
    /// Every job of the batch fails with this error (the same one the
    /// engine's own connection would give, e.g. `ERR_FERROQ_REDIS_OOM`).
    Failed(Error),
    /// Nothing ran; send the batch again through the engine's connection,
    /// which handles it (`NOSCRIPT`: loads the script; `READONLY`: reconnects
    /// to the new master). The lane should be dropped on `READONLY`.
    Resend {
        /// Whether the lane's server became a replica (`READONLY`).
        drop_lane: bool,
    },
}

/// The replies read from one lane socket (a new socket needs a new reader).
#[derive(Debug)]
pub struct LaneReader {
    replies: Replies,
    handshake_left: u32,
}

impl LaneReader {
    /// A reader for a socket that sent `plan`'s handshake first.
    pub fn new(plan: &LanePlan) -> LaneReader {
        LaneReader {
            replies: Replies::new(),
            handshake_left: plan.handshake_replies,
        }
    }

    /// Whether part of a reply is waiting for its next bytes.
    pub fn has_partial(&self) -> bool {
        self.replies.has_partial()
    }

    /// Whether every handshake reply has come in (and none was an error).
    pub fn ready(&self) -> bool {
        self.handshake_left == 0
    }

    /// The replies to adds completed by `chunk`, in order. The handshake's own
    /// replies are consumed; an error among them, or a malformed stream, is
    /// an `Err`: the lane cannot be used (its adds go the engine's way).
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<Value>> {
        let mut all = self.replies.feed(chunk).map_err(classify)?;
        let skip = (self.handshake_left as usize).min(all.len());
        for v in all.drain(..skip) {
            v.extract_error().map_err(classify)?;
        }
        self.handshake_left -= skip as u32;
        Ok(all)
    }
}

/// What the reply `reply` to a batch of `n` adds means.
pub fn lane_answer(reply: Value, n: usize) -> LaneAnswer {
    match reply.extract_error() {
        Ok(v) => match AddJobs::decode(v, n) {
            Ok(ids) => LaneAnswer::Added(ids),
            Err(e) => LaneAnswer::Failed(e),
        },
        Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
            LaneAnswer::Resend { drop_lane: false }
        }
        Err(e) if crate::engine::redis_error::is_read_only(&e) => {
            LaneAnswer::Resend { drop_lane: true }
        }
        Err(e) => LaneAnswer::Failed(classify(e)),
    }
}

impl Queue {
    /// Where and how to open a lane, or `None` when this queue's server does
    /// not qualify (cluster, embedded store, TLS) or the queue is closed.
    pub fn lane_plan(&self) -> Option<LanePlan> {
        if self.con().is_err() {
            return None;
        }
        let Target::Single(client) = &self.inner.target else {
            return None;
        };
        let info = client.get_connection_info();
        let (host, port, path) = match info.addr() {
            ConnectionAddr::Tcp(h, p) => (Some(h.clone()), *p, None),
            ConnectionAddr::Unix(p) => (None, 0, Some(p.to_str()?.to_string())),
            _ => return None,
        };
        let settings = info.redis_settings();
        let mut handshake = Vec::new();
        let mut replies = 0;
        if let Some(password) = settings.password() {
            let mut auth = redis::cmd("AUTH");
            if let Some(user) = settings.username() {
                auth.arg(user);
            }
            handshake.extend(auth.arg(password).get_packed_command());
            replies += 1;
        }
        if settings.db() != 0 {
            handshake.extend(redis::cmd("SELECT").arg(settings.db()).get_packed_command());
            replies += 1;
        }
        handshake.extend(
            redis::cmd("SCRIPT")
                .arg("LOAD")
                .arg(scripts::ADD_JOBS.source)
                .get_packed_command(),
        );
        replies += 1;
        Some(LanePlan {
            host,
            port,
            path,
            handshake,
            handshake_replies: replies,
            timeout_ms: DEFAULT_RESPONSE_TIMEOUT_MS,
        })
    }

    /// The template of a lone add with the options JSON `opts` (see
    /// [`LaneTemplate`]), or `None` when such adds differ in more than name,
    /// data and time (a custom `jobId`, `timestamp` or `parent`), the options
    /// are invalid, or [`Queue::lane_encode`] would not encode one.
    pub fn lane_template(&self, opts: &str) -> Option<LaneTemplate> {
        let opts = serde_json::from_str(opts).ok()?;
        let opts = crate::engine::options::JobOptions::from_json(opts).ok()?;
        if opts.job_id.is_some() || opts.timestamp.is_some() || opts.parent.is_some() {
            return None;
        }
        // The tighter of the queue's limit (0: none) and the job's sizeLimit.
        let queue_max = Some(self.inner.opts.max_data_bytes as u64).filter(|&m| m > 0);
        let max_data_bytes = match (queue_max, opts.size_limit) {
            (Some(m), Some(l)) => m.min(l),
            (m, l) => m.or(l).unwrap_or(0),
        };
        let probe = NewJob {
            name: String::new(),
            data: String::new(),
            opts,
        };
        let bytes = String::from_utf8(self.lane_encode(std::slice::from_ref(&probe), 1)?).ok()?;
        // The parts of the EVALSHA: name, sha, key count, the keys, the key
        // base and job count, then the job's 13 values (custom id first).
        let at = part_offsets(&bytes)?;
        let first = 5 + scripts::ADD_JOBS.keys;
        let [name, opts, ts] = [first + 1, first + 3, first + 4];
        Some(LaneTemplate {
            head: bytes[..at[name]].to_string(),
            mid: bytes[at[opts]..at[ts]].to_string(),
            tail: bytes[at[ts + 1]..].to_string(),
            max_data_bytes,
        })
    }

    /// The bytes of one `add_jobs` call adding `jobs` (already built and
    /// checked with [`Queue::check_new_job`]), or `None` when the lane does not
    /// apply: flow children (`opts.parent`), none, or more than one script
    /// call's worth. Jobs without `opts.timestamp` are created at `now_ms`.
    pub fn lane_encode(&self, jobs: &[NewJob], now_ms: u64) -> Option<Vec<u8>> {
        if jobs.iter().any(|j| j.opts.parent.is_some()) {
            return None;
        }
        AddJobs { jobs, now_ms }.packed(self)
    }
}

/// Where each bulk string of the RESP array `cmd` starts (its `$`), and the
/// end; `None` if `cmd` is not such an array.
fn part_offsets(cmd: &str) -> Option<Vec<usize>> {
    let b = cmd.as_bytes();
    let line = |from: usize| -> Option<(usize, usize)> {
        let end = from + cmd.get(from..)?.find("\r\n")?;
        Some((cmd.get(from + 1..end)?.parse().ok()?, end + 2))
    };
    if b.first() != Some(&b'*') {
        return None;
    }
    let (n, mut at) = line(0)?;
    let mut out = Vec::with_capacity(n + 1);
    for _ in 0..n {
        if b.get(at) != Some(&b'$') {
            return None;
        }
        out.push(at);
        let (len, body) = line(at)?;
        at = body + len + 2;
    }
    out.push(at);
    (at == b.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> Value {
        redis::parse_redis_value(text.as_bytes()).unwrap()
    }

    #[test]
    fn answers() {
        let ok = lane_answer(reply("*2\r\n$1\r\n1\r\n$1\r\n2\r\n"), 2);
        assert!(matches!(ok, LaneAnswer::Added(ids) if ids == ["1", "2"]));
        let short = lane_answer(reply("*1\r\n$1\r\n1\r\n"), 2);
        assert!(
            matches!(short, LaneAnswer::Failed(e) if e.code().as_str() == "ERR_FERROQ_CORRUPT_DATA")
        );
        let oom = lane_answer(reply("-OOM command not allowed\r\n"), 1);
        assert!(
            matches!(oom, LaneAnswer::Failed(e) if e.code().as_str() == "ERR_FERROQ_REDIS_OOM")
        );
        let noscript = lane_answer(reply("-NOSCRIPT No matching script\r\n"), 1);
        assert!(matches!(noscript, LaneAnswer::Resend { drop_lane: false }));
        let ro = lane_answer(reply("-READONLY You can't write\r\n"), 1);
        assert!(matches!(ro, LaneAnswer::Resend { drop_lane: true }));
    }

    #[test]
    fn handshake_replies_are_consumed() {
        let plan = LanePlan {
            host: None,
            port: 0,
            path: None,
            handshake: Vec::new(),
            handshake_replies: 2,
            timeout_ms: 1,
        };
        let mut r = LaneReader::new(&plan);
        assert!(r.feed(b"+OK\r\n").unwrap().is_empty());
        let got = r.feed(b"$2\r\nab\r\n:1\r\n").unwrap();
        assert_eq!(got, vec![Value::Int(1)]);
        let mut bad = LaneReader::new(&plan);
        assert!(bad.feed(b"-WRONGPASS invalid\r\n").is_err());
    }

    /// `Call::packed` writes what redis-rs would send for the same EVALSHA.
    #[test]
    fn packed_matches_redis_rs() {
        let t = &crate::engine::scripts::ADD_JOBS;
        let keys: Vec<String> = (0..t.keys).map(|i| format!("bull:q:k{i}")).collect();
        let refs: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
        let call = crate::engine::transitions::Call::new(t, &refs)
            .arg("bull:q:")
            .arg(2)
            .arg("é \r\n")
            .arg(true);
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg("abc").arg(t.keys);
        for k in &keys {
            cmd.arg(k);
        }
        cmd.arg("bull:q:").arg(2).arg("é \r\n").arg(true);
        assert_eq!(call.packed("abc"), cmd.get_packed_command());
    }
}
