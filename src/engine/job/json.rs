//! A job as one JSON object for JS, with the stored JSON fields embedded as
//! they are (checked, not re-encoded).

use serde::Serialize;
use serde_json::value::RawValue;

use super::Job;
use crate::engine::error::{Error, Result};

impl Job {
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
            parent: self
                .parent
                .as_deref()
                .map(|p| as_raw(id, "parent", p))
                .transpose()?,
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
    parent: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_job_key: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deferred_failure: Option<&'a str>,
}
