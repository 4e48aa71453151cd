//! `lua/move_to_active.lua`: promote due delayed jobs, then move up to N ready
//! jobs into active for one worker, locking each. Its ARGV block and reply are
//! shared with `move_to_finished`, which fetches the same way after settling.

use redis::{RedisResult, Value};

use super::Call;
use crate::engine::keys::QueueKeys;
use crate::engine::options::Limiter;
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// ARGV of `move_to_active` (and ARGV[1..9] of `move_to_finished`).
#[derive(Debug, Clone, Copy)]
pub struct MoveToActive<'a> {
    /// Time of the call (ms); becomes the jobs' `processedOn`.
    pub now: u64,
    /// How many jobs the worker can take (0 = only promote and report).
    pub wanted: usize,
    /// Lock tokens are `<token_prefix>:<seq + i>`; `"0"` takes jobs unlocked.
    pub token_prefix: &'a str,
    /// The worker's token counter before this call; `None`: `token_prefix` is
    /// the whole token (a caller's own, for one job: BullMQ's `getNextJob(token)`).
    pub seq: Option<u64>,
    /// Lock duration (ms).
    pub lock_duration_ms: u64,
    /// The worker's own rate limiter, if any (the queue's global one is read by the script).
    pub limiter: Option<Limiter>,
    /// The worker's name, stored as the job's `pb`.
    pub worker_name: Option<&'a str>,
}

/// One job moved to active, as the script read it.
#[derive(Debug)]
pub struct FetchedJob {
    /// The job's id.
    pub id: String,
    /// Its lock token (`"0"` when unlocked).
    pub token: String,
    /// HGETALL as read before `processedOn`, `ats` and `pb` were written: the
    /// caller applies `now`, `ats + 1` and the worker name itself.
    pub fields: Vec<String>,
}

/// What a fetch returns.
#[derive(Debug, Default)]
pub struct Fetched {
    /// The jobs now active and locked for this worker, in fetch order.
    pub jobs: Vec<FetchedJob>,
    /// > 0 when the rate limiter is full: ms until it frees up.
    pub rate_limit_ttl: u64,
    /// Due time (ms) of the earliest delayed job when fewer jobs than wanted
    /// were ready (0 = none).
    pub next_delayed_ms: u64,
}

impl MoveToActive<'_> {
    /// KEYS, in the order `lua/lib/fetch.lua` reads them (also the first nine
    /// of `move_to_finished`).
    pub fn keys(k: &QueueKeys) -> [&str; 9] {
        [
            &k.wait,
            &k.active,
            &k.prioritized,
            &k.pc,
            &k.delayed,
            &k.marker,
            &k.events,
            &k.meta,
            &k.limiter,
        ]
    }

    /// Appends ARGV[1..9] (the key base first).
    pub(crate) fn args(&self, k: &QueueKeys, call: Call) -> Call {
        let (lim_max, lim_dur) = self.limiter.map_or((0, 0), |l| (l.max, l.duration_ms));
        call.arg(k.base())
            .arg(self.now)
            .arg(self.wanted)
            .arg(self.token_prefix)
            .arg(self.seq.map_or(-1, |s| s as i64))
            .arg(self.lock_duration_ms)
            .arg(lim_max)
            .arg(lim_dur)
            .arg(self.worker_name.unwrap_or(""))
    }

    /// Runs the fetch. Redis errors stay as they are: the worker loop retries
    /// transient ones.
    pub async fn run(&self, q: &Queue) -> RedisResult<Fetched> {
        let k = q.keys();
        let call = Call::new(&scripts::MOVE_TO_ACTIVE, &Self::keys(k));
        let reply: Vec<Value> = self.args(k, call).invoke_raw(q).await?;
        Ok(Fetched::decode(reply.into_iter()))
    }
}

impl Fetched {
    /// Decodes `{ jobs, rateLimitTtl, nextDelayedMs }` from the reply's elements.
    pub(crate) fn decode(mut it: impl Iterator<Item = Value>) -> Fetched {
        let flat = match it.next() {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        let mut jobs = Vec::with_capacity(flat.len() / 3);
        let mut raw = flat.into_iter();
        while let (Some(id), Some(token), Some(fields)) = (raw.next(), raw.next(), raw.next()) {
            jobs.push(FetchedJob {
                id: redis::from_redis_value(id).unwrap_or_default(),
                token: redis::from_redis_value(token).unwrap_or_default(),
                fields: redis::from_redis_value(fields).unwrap_or_default(),
            });
        }
        let mut int = || {
            it.next()
                .and_then(|v| redis::from_redis_value::<i64>(v).ok())
                .unwrap_or(0)
                .max(0) as u64
        };
        let rate_limit_ttl = int();
        let next_delayed_ms = int();
        Fetched {
            jobs,
            rate_limit_ttl,
            next_delayed_ms,
        }
    }
}
