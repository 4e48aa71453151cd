//! What the admin endpoints answer with: per-queue stats, the job view of the
//! jobs list and job details, and the health verdict. Pure functions over data
//! the engine already read.

use serde::Serialize;
use serde_json::{Value, json};

use crate::engine::Job;
use crate::engine::options::names;

/// The engine states a queue's stats read, in one `get_job_counts` call.
/// `waiting` sums the first three: `wait`, the legacy `paused` list and
/// `prioritized` are all jobs ready for a worker.
pub const STAT_STATES: [&str; 7] = [
    "wait",
    "paused",
    "prioritized",
    "active",
    "completed",
    "failed",
    "delayed",
];

/// One queue's numbers, in the seed app's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    /// The queue's name.
    pub name: String,
    /// Jobs ready for a worker (wait, prioritized, and a v5 paused list).
    pub waiting: u64,
    /// Jobs a worker holds.
    pub active: u64,
    /// Jobs kept in `completed`.
    pub completed: u64,
    /// Jobs kept in `failed`.
    pub failed: u64,
    /// Jobs waiting for their delay or backoff.
    pub delayed: u64,
    /// Whether the queue is paused (not a job count).
    pub paused: bool,
    /// waiting + active + completed + failed + delayed.
    pub total: u64,
}

impl QueueStats {
    /// Builds the stats from counts of [`STAT_STATES`] (in that order) and the
    /// paused flag.
    pub fn from_counts(name: &str, counts: &[(String, u64)], paused: bool) -> QueueStats {
        let n = |state: &str| {
            counts
                .iter()
                .find(|(s, _)| s == state)
                .map_or(0, |(_, c)| *c)
        };
        let waiting = n("wait") + n("paused") + n("prioritized");
        let (active, completed, failed, delayed) =
            (n("active"), n("completed"), n("failed"), n("delayed"));
        QueueStats {
            name: name.to_string(),
            waiting,
            active,
            completed,
            failed,
            delayed,
            paused,
            total: waiting + active + completed + failed + delayed,
        }
    }
}

/// When `/health` reports a queue as unhealthy. A count strictly above a
/// threshold is an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthThresholds {
    /// Failed jobs above this are an issue.
    pub failed: u64,
    /// Waiting jobs above this are an issue.
    pub waiting: u64,
}

/// The seed app's alert rule "Failed jobs > 10 → investigate immediately".
pub const DEFAULT_FAILED_THRESHOLD: u64 = 10;
/// The seed app's alert rule "Waiting jobs > 100 → may need more workers".
pub const DEFAULT_WAITING_THRESHOLD: u64 = 100;

impl Default for HealthThresholds {
    fn default() -> Self {
        HealthThresholds {
            failed: DEFAULT_FAILED_THRESHOLD,
            waiting: DEFAULT_WAITING_THRESHOLD,
        }
    }
}

impl HealthThresholds {
    /// The issues one queue's stats raise, in the seed app's wording
    /// (`email: 150 failed jobs`), failed before waiting.
    pub fn issues(&self, s: &QueueStats) -> Vec<String> {
        let mut out = Vec::new();
        if s.failed > self.failed {
            out.push(format!("{}: {} failed jobs", s.name, s.failed));
        }
        if s.waiting > self.waiting {
            out.push(format!("{}: {} waiting jobs", s.name, s.waiting));
        }
        out
    }
}

/// Stored JSON text as a value; text another client wrote that is not JSON is
/// shown as a string rather than hiding the job.
fn stored(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

// Stored opts use BullMQ's abbreviated keys; the admin shows the names users wrote.
fn long_opts(text: &str) -> Value {
    match stored(text) {
        Value::Object(o) => Value::Object(names::long_opts(o)),
        other => other,
    }
}

/// The job as the jobs list and job details show it: BullMQ's field names,
/// every field present (`null` when unset), plus the job's `state`.
pub fn job_view(job: &Job, state: &str) -> Value {
    json!({
        "id": job.id,
        "name": job.name,
        "data": stored(&job.data),
        "opts": long_opts(&job.opts),
        // BullMQ's Job starts with progress 0 and an empty stacktrace.
        "progress": job.progress.as_deref().map_or(json!(0), stored),
        "attemptsMade": job.attempts_made,
        "failedReason": job.failed_reason,
        "stacktrace": job.stacktrace.as_deref().map_or(json!([]), stored),
        "returnvalue": job.returnvalue.as_deref().map_or(Value::Null, stored),
        "timestamp": job.timestamp,
        "processedOn": job.processed_on,
        "finishedOn": job.finished_on,
        "state": state,
    })
}

/// The state name the admin shows for a job found in engine state `source`.
pub fn shown_state(source: &str) -> &str {
    match source {
        // A v5 paused list holds jobs that are waiting; getState says so too.
        "wait" | "paused" => "waiting",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
        pairs.iter().map(|(s, n)| (s.to_string(), *n)).collect()
    }

    #[test]
    fn total_is_the_five_counts_and_paused_is_a_flag() {
        // The seed doc's example: 5 completed, total 5, not paused.
        let s = QueueStats::from_counts("email", &counts(&[("completed", 5)]), false);
        assert_eq!(s.total, 5);
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            json!({ "name": "email", "waiting": 0, "active": 0, "completed": 5, "failed": 0,
                    "delayed": 0, "paused": false, "total": 5 })
        );
        let s = QueueStats::from_counts(
            "q",
            &counts(&[
                ("wait", 2),
                ("paused", 1),
                ("prioritized", 3),
                ("active", 1),
                ("failed", 4),
                ("delayed", 5),
            ]),
            true,
        );
        assert_eq!((s.waiting, s.total, s.paused), (6, 16, true));
    }

    #[test]
    fn issues_need_counts_strictly_above_the_thresholds() {
        let t = HealthThresholds::default();
        let mut s =
            QueueStats::from_counts("email", &counts(&[("failed", 10), ("wait", 100)]), false);
        assert!(t.issues(&s).is_empty());
        s.failed = 150;
        s.waiting = 1200;
        assert_eq!(
            t.issues(&s),
            ["email: 150 failed jobs", "email: 1200 waiting jobs"]
        );
    }

    #[test]
    fn job_view_has_every_field_and_long_option_names() {
        let j = Job {
            id: "7".into(),
            name: "welcome".into(),
            data: r#"{"to":"a@b.c"}"#.into(),
            opts: r#"{"attempts":3,"kl":10}"#.into(),
            timestamp: 1,
            returnvalue: Some("not json".into()),
            ..Default::default()
        };
        let v = job_view(&j, "completed");
        assert_eq!(v["data"]["to"], "a@b.c");
        assert_eq!(v["opts"], json!({ "attempts": 3, "keepLogs": 10 }));
        assert_eq!(v["progress"], 0);
        assert_eq!(v["stacktrace"], json!([]));
        assert_eq!(v["returnvalue"], "not json");
        assert_eq!(v["failedReason"], Value::Null);
        assert_eq!(v["processedOn"], Value::Null);
        assert_eq!(v["state"], "completed");
    }
}
