//! A job as stored in its hash (BullMQ's §2 layout): reading it
//! ([`Job::from_fields`]), its JSON face for callers (`json.rs`), the options a
//! worker acts on (`settings.rs`) and BullMQ's state names (`state.rs`).

mod json;
mod settings;
mod state;

pub use settings::JobSettings;
pub use state::{FinishedState, JOB_STATES};

use super::error::{Error, Result};

/// One job, read from its hash. JSON fields (`data`, `opts`, `progress`,
/// `returnvalue`, `stacktrace`) are kept as the stored text.
#[derive(Debug, Clone, Default)]
pub struct Job {
    /// The id (from the key; the hash has no id field).
    pub id: String,
    /// Job name.
    pub name: String,
    /// `data` JSON (`{}` when absent).
    pub data: String,
    /// `opts` JSON with BullMQ's abbreviated keys (`{}` when absent).
    pub opts: String,
    /// Creation time (ms).
    pub timestamp: u64,
    /// Delay (ms) as last set.
    pub delay: u64,
    /// Priority (0 = none).
    pub priority: u64,
    /// When it last moved to active (ms).
    pub processed_on: Option<u64>,
    /// When it finished (ms).
    pub finished_on: Option<u64>,
    /// `atm` (or legacy `attemptsMade`).
    pub attempts_made: u64,
    /// `ats`.
    pub attempts_started: u64,
    /// `stc`.
    pub stalled_counter: u64,
    /// `progress` JSON.
    pub progress: Option<String>,
    /// `returnvalue` JSON.
    pub returnvalue: Option<String>,
    /// `failedReason`.
    pub failed_reason: Option<String>,
    /// `stacktrace` JSON array.
    pub stacktrace: Option<String>,
    /// `defa`: a deferred failure; a worker fails such a job as soon as it fetches it.
    pub deferred_failure: Option<String>,
    /// `pb`: the name of the worker that processed it.
    pub processed_by: Option<String>,
    /// `deid`: its deduplication id.
    pub dedup_id: Option<String>,
    /// `parentKey`.
    pub parent_key: Option<String>,
    /// `parent`: JSON `{id, queueKey, fpof|cpof|idof|rdof?}` of a flow child.
    pub parent: Option<String>,
    /// `rjk`: the job scheduler it belongs to.
    pub repeat_job_key: Option<String>,
    /// The lock token, when a worker holds the job.
    pub token: Option<String>,
}

fn num(v: &str) -> u64 {
    // Lua may have written "1.5" or "1e+15": accept any number, floor it.
    v.parse::<u64>()
        .ok()
        .or_else(|| {
            v.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f >= 0.0)
                .map(|f| f as u64)
        })
        .unwrap_or(0)
}

impl Job {
    /// Builds a job from HGETALL's flat field/value list. `None` when the hash is empty.
    pub fn from_fields(id: &str, fields: Vec<String>) -> Option<Job> {
        if fields.is_empty() {
            return None;
        }
        let mut j = Job {
            id: id.to_string(),
            data: "{}".into(),
            opts: "{}".into(),
            ..Default::default()
        };
        let mut it = fields.into_iter();
        let mut legacy_attempts = None;
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            match k.as_str() {
                "name" => j.name = v,
                "data" => j.data = v,
                "opts" => j.opts = v,
                "timestamp" => j.timestamp = num(&v),
                "delay" => j.delay = num(&v),
                "priority" => j.priority = num(&v),
                "processedOn" => j.processed_on = Some(num(&v)),
                "finishedOn" => j.finished_on = Some(num(&v)),
                "atm" => j.attempts_made = num(&v),
                "attemptsMade" => legacy_attempts = Some(num(&v)),
                "ats" => j.attempts_started = num(&v),
                "stc" => j.stalled_counter = num(&v),
                "progress" => j.progress = Some(v),
                "returnvalue" => j.returnvalue = Some(v),
                "failedReason" => j.failed_reason = Some(v),
                "stacktrace" => j.stacktrace = Some(v),
                "defa" => j.deferred_failure = Some(v),
                "pb" => j.processed_by = Some(v),
                "deid" => j.dedup_id = Some(v),
                "parentKey" => j.parent_key = Some(v),
                "parent" => j.parent = Some(v),
                "rjk" => j.repeat_job_key = Some(v),
                _ => {}
            }
        }
        if j.attempts_made == 0
            && let Some(a) = legacy_attempts
        {
            j.attempts_made = a;
        }
        Some(j)
    }

    /// The options a worker acts on, read from the stored opts JSON.
    pub fn settings(&self) -> Result<JobSettings> {
        JobSettings::parse(&self.opts).map_err(|reason| Error::CorruptData {
            what: format!("opts of job {}", self.id),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::options::Backoff;

    fn fields(pairs: &[(&str, &str)]) -> Vec<String> {
        pairs
            .iter()
            .flat_map(|(k, v)| [k.to_string(), v.to_string()])
            .collect()
    }

    #[test]
    fn reads_a_bullmq_hash() {
        let j = Job::from_fields(
            "7",
            fields(&[
                ("name", "n"),
                ("data", "{\"a\":1}"),
                (
                    "opts",
                    "{\"attempts\":3,\"backoff\":{\"type\":\"exponential\",\"delay\":200}}",
                ),
                ("timestamp", "1795385017715"),
                ("atm", "2"),
            ]),
        )
        .unwrap();
        assert_eq!(j.attempts_made, 2);
        let s = j.settings().unwrap();
        assert_eq!(s.attempts, 3);
        assert_eq!(
            s.backoff,
            Some(Backoff::Exponential {
                delay: 200,
                jitter: 0.0
            })
        );
        let js: serde_json::Value = serde_json::from_str(&j.to_json().unwrap()).unwrap();
        assert_eq!(js["data"]["a"], 1);
        assert_eq!(js["attemptsMade"], 2);
    }

    #[test]
    fn invalid_data_is_reported_not_passed_on() {
        let j = Job::from_fields("1", fields(&[("name", "n"), ("data", "{oops")])).unwrap();
        assert!(matches!(j.to_json(), Err(Error::CorruptData { .. })));
    }
}
