//! The options a worker acts on, read from a job's stored opts JSON.

use crate::engine::options::{Backoff, KeepJobs, parse_backoff};

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
