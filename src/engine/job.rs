//! A job as stored in its hash (BullMQ's §2 layout), and its JSON face for callers.

use serde::Serialize;
use serde_json::value::RawValue;

use super::error::{Error, Result};
use super::keys::QueueKeys;
use super::options::{Backoff, KeepJobs, parse_backoff};

/// The states BullMQ reports from `getState()`.
pub const JOB_STATES: [&str; 8] = [
    "completed",
    "failed",
    "delayed",
    "prioritized",
    "active",
    "waiting",
    "waiting-children",
    "unknown",
];

/// The two states a job ends in, whose jobs can be retried, counted in
/// metrics and cleaned by finish time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishedState {
    /// `completed`
    Completed,
    /// `failed`
    Failed,
}

impl FinishedState {
    /// Reads `completed` or `failed`; anything else is an invalid `field`.
    pub fn parse(state: &str, field: &str) -> Result<FinishedState> {
        match state {
            "completed" => Ok(FinishedState::Completed),
            "failed" => Ok(FinishedState::Failed),
            other => Err(Error::invalid(
                field,
                format!("must be 'completed' or 'failed', got \"{other}\""),
            )),
        }
    }

    /// BullMQ's name of the state.
    pub fn name(self) -> &'static str {
        match self {
            FinishedState::Completed => "completed",
            FinishedState::Failed => "failed",
        }
    }

    /// The state's sorted set (scored by finish time).
    pub fn key(self, k: &QueueKeys) -> &str {
        match self {
            FinishedState::Completed => &k.completed,
            FinishedState::Failed => &k.failed,
        }
    }

    /// The job hash field that holds the outcome (`returnvalue` or `failedReason`).
    pub fn result_field(self) -> &'static str {
        match self {
            FinishedState::Completed => "returnvalue",
            FinishedState::Failed => "failedReason",
        }
    }
}

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

    /// The job as one JSON object for JS: the stored JSON fields are embedded as
    /// they are (and checked to be JSON), the rest as BullMQ's Job field names.
    pub fn to_json(&self) -> Result<String> {
        let id = self.id.as_str();
        // BullMQ's reader falls back to the raw string when returnvalue is not
        // JSON, and to [] for a stacktrace that is not.
        let returnvalue_text;
        let returnvalue = match self.returnvalue.as_deref() {
            Some(r) => Some(match as_raw(id, "returnvalue", r) {
                Ok(v) => v,
                Err(_) => {
                    returnvalue_text = serde_json::to_string(r).unwrap_or_else(|_| "null".into());
                    as_raw(id, "returnvalue", &returnvalue_text)?
                }
            }),
            None => None,
        };
        let stacktrace = match self.stacktrace.as_deref() {
            Some(t) => {
                Some(as_raw(id, "stacktrace", t).or_else(|_| as_raw(id, "stacktrace", "[]"))?)
            }
            None => None,
        };
        let view = JobJson {
            id: &self.id,
            name: &self.name,
            data: as_raw(id, "data", &self.data)?,
            opts: as_raw(id, "opts", &self.opts)?,
            timestamp: self.timestamp,
            delay: self.delay,
            priority: self.priority,
            processed_on: self.processed_on,
            finished_on: self.finished_on,
            attempts_made: self.attempts_made,
            attempts_started: self.attempts_started,
            stalled_counter: self.stalled_counter,
            progress: self
                .progress
                .as_deref()
                .map(|p| as_raw(id, "progress", p))
                .transpose()?,
            returnvalue,
            failed_reason: self.failed_reason.as_deref(),
            stacktrace,
            processed_by: self.processed_by.as_deref(),
            deduplication_id: self.dedup_id.as_deref(),
            parent_key: self.parent_key.as_deref(),
            repeat_job_key: self.repeat_job_key.as_deref(),
            token: self.token.as_deref(),
            deferred_failure: self.deferred_failure.as_deref(),
        };
        serde_json::to_string(&view).map_err(|e| Error::CorruptData {
            what: format!("job {}", self.id),
            reason: e.to_string(),
        })
    }
}

/// Checks that `s` is JSON and borrows it as such (no copy).
fn as_raw<'a>(id: &str, what: &str, s: &'a str) -> Result<&'a RawValue> {
    serde_json::from_str::<&RawValue>(s).map_err(|e| Error::CorruptData {
        what: format!("{what} of job {id}"),
        reason: format!("not JSON ({e})"),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JobJson<'a> {
    id: &'a str,
    name: &'a str,
    data: &'a RawValue,
    opts: &'a RawValue,
    timestamp: u64,
    delay: u64,
    priority: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    processed_on: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_on: Option<u64>,
    attempts_made: u64,
    attempts_started: u64,
    stalled_counter: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    progress: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    returnvalue: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failed_reason: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stacktrace: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    processed_by: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deduplication_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_job_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deferred_failure: Option<&'a str>,
}

/// What a worker needs from a job's opts to settle it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobSettings {
    /// `attempts` (0 and 1 both mean a single try).
    pub attempts: u64,
    /// `backoff`.
    pub backoff: Option<Backoff>,
    /// `removeOnComplete`.
    pub remove_on_complete: Option<KeepJobs>,
    /// `removeOnFail`.
    pub remove_on_fail: Option<KeepJobs>,
    /// `stackTraceLimit`.
    pub stack_trace_limit: Option<u64>,
    /// `lifo`.
    pub lifo: bool,
    /// `kl` (keepLogs).
    pub keep_logs: Option<u64>,
}

impl JobSettings {
    /// Reads the settings from stored opts JSON. Only the fields a worker acts
    /// on are decoded (the rest is skipped without allocating). Unknown or odd
    /// values written by other clients are tolerated where BullMQ tolerates them.
    pub fn parse(opts: &str) -> std::result::Result<JobSettings, String> {
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct View {
            attempts: Option<serde_json::Value>,
            backoff: Option<serde_json::Value>,
            #[serde(rename = "removeOnComplete")]
            remove_on_complete: Option<serde_json::Value>,
            #[serde(rename = "removeOnFail")]
            remove_on_fail: Option<serde_json::Value>,
            #[serde(rename = "stackTraceLimit")]
            stack_trace_limit: Option<serde_json::Value>,
            lifo: Option<serde_json::Value>,
            kl: Option<serde_json::Value>,
        }
        // Anything but an object (e.g. "null") reads as no options.
        let v: View = match serde_json::from_str(opts) {
            Ok(v) => v,
            Err(e) => match serde_json::from_str::<serde_json::Value>(opts) {
                Ok(_) => View::default(),
                Err(_) => return Err(format!("not JSON ({e})")),
            },
        };
        let u = |x: &Option<serde_json::Value>| {
            x.as_ref()
                .and_then(|x| x.as_f64())
                .filter(|x| *x >= 0.0)
                .map(|x| x as u64)
        };
        Ok(JobSettings {
            attempts: u(&v.attempts).unwrap_or(0),
            backoff: v
                .backoff
                .as_ref()
                .and_then(|b| parse_backoff(b, "backoff").ok().flatten()),
            remove_on_complete: v
                .remove_on_complete
                .as_ref()
                .and_then(|k| KeepJobs::from_json(k, "removeOnComplete").ok()),
            remove_on_fail: v
                .remove_on_fail
                .as_ref()
                .and_then(|k| KeepJobs::from_json(k, "removeOnFail").ok()),
            stack_trace_limit: u(&v.stack_trace_limit),
            lifo: v.lifo.as_ref().and_then(|x| x.as_bool()).unwrap_or(false),
            keep_logs: u(&v.kl),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
