//! `lua/add_job_scheduler.lua`: create or replace a job scheduler and its
//! next iteration in one atomic step.

use redis::Value;

use super::{Call, parse};
use crate::engine::error::{Error, Result};
use crate::engine::keys::QueueKeys;
use crate::engine::queue::Queue;
use crate::engine::scripts::ADD_JOB_SCHEDULER;

/// The script's arguments. Strings are passed as given; `None` becomes "".
#[derive(Debug)]
pub struct AddJobScheduler<'a> {
    /// The scheduler id.
    pub scheduler_id: &'a str,
    /// Now (ms); the iteration's timestamp.
    pub now: u64,
    /// Next run of a cron scheduler (computed in Rust); `None` for `every`.
    pub cron_next: Option<u64>,
    /// `every` interval (ms).
    pub every: Option<u64>,
    /// Offset as the caller gave it.
    pub offset: Option<u64>,
    /// startDate (ms).
    pub start_date: Option<u64>,
    /// Template job name.
    pub name: &'a str,
    /// Time zone.
    pub tz: Option<&'a str>,
    /// Iteration limit.
    pub limit: Option<u64>,
    /// Cron pattern.
    pub pattern: Option<&'a str>,
    /// endDate (ms).
    pub end_date: Option<u64>,
    /// Template data JSON.
    pub template_data: &'a str,
    /// Template opts JSON (stored keys), `{}` for none.
    pub template_opts: &'a str,
    /// The iteration's opts, split for the script (see [`IterationOpts`]).
    pub iteration: &'a IterationOpts,
    /// The iterations' priority.
    pub priority: u64,
    /// The iterations go to the front of wait.
    pub lifo: bool,
}

/// An iteration's opts JSON without `jobId` and `delay`, which the script
/// decides and splices in front: `head` is the JSON-escaped `repeat:<id>:`
/// (the jobId without its millis), `tail` the JSON object after its `{`.
#[derive(Debug, Clone)]
pub struct IterationOpts {
    /// JSON-escaped `repeat:<schedulerId>:`.
    pub head: String,
    /// The rest of the opts object, from after `{` to the closing `}`.
    pub tail: String,
}

impl IterationOpts {
    /// Splits `opts` (which must not hold `jobId` or `delay`) for the scripts.
    pub fn new(scheduler_id: &str, opts: &serde_json::Map<String, serde_json::Value>) -> Self {
        let quoted = serde_json::Value::from(format!("repeat:{scheduler_id}:")).to_string();
        let full = serde_json::Value::Object(opts.clone()).to_string();
        IterationOpts {
            head: quoted[1..quoted.len() - 1].to_string(),
            tail: full[1..].to_string(),
        }
    }
}

/// The iteration the script added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// `repeat:<schedulerId>:<millis>`.
    pub job_id: String,
    /// ms until it is due (0 = ready now).
    pub delay: u64,
}

impl AddJobScheduler<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 11] {
        [
            &k.repeat,
            &k.delayed,
            &k.wait,
            &k.paused,
            &k.meta,
            &k.prioritized,
            &k.marker,
            &k.id,
            &k.events,
            &k.pc,
            &k.active,
        ]
    }

    /// Runs the script on `q`; a taken iteration id is `SchedulerCollision`.
    pub async fn run(&self, q: &Queue) -> Result<Added> {
        let k = q.keys();
        let reply: Value = Call::new(&ADD_JOB_SCHEDULER, &Self::keys(k))
            .arg(k.base())
            .arg(self.scheduler_id)
            .arg(self.now)
            .arg(opt(self.cron_next))
            .arg(opt(self.every))
            .arg(opt(self.offset))
            .arg(opt(self.start_date))
            .arg(self.name)
            .arg(self.tz.unwrap_or_default())
            .arg(opt(self.limit))
            .arg(self.pattern.unwrap_or_default())
            .arg(opt(self.end_date))
            .arg(self.template_data)
            .arg(self.template_opts)
            .arg(&self.iteration.head)
            .arg(&self.iteration.tail)
            .arg(self.priority)
            .arg(self.lifo)
            .invoke(q)
            .await?;
        match reply {
            Value::Array(a) if a.len() == 2 => {
                let mut it = a.into_iter();
                let job_id: String = parse(ADD_JOB_SCHEDULER.name, it.next())?;
                let delay: i64 = parse(ADD_JOB_SCHEDULER.name, it.next())?;
                Ok(Added {
                    job_id,
                    delay: delay.max(0) as u64,
                })
            }
            Value::Int(code) => Err(Error::from_script_code(
                ADD_JOB_SCHEDULER.name,
                code,
                self.scheduler_id,
                "delayed",
            )),
            other => Err(Error::CorruptData {
                what: format!("reply of {}", ADD_JOB_SCHEDULER.name),
                reason: format!("unexpected {other:?}"),
            }),
        }
    }
}

/// An optional number as ARGV: its decimal text, or "" for none.
pub(crate) fn opt(v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}
