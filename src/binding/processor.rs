//! JS user code as an engine [`Processor`]: each delivery becomes one batch on
//! the worker's sink of the channel (in order with every other answer); JS
//! reports outcomes with the sync `NativeWorker.completeMany`. One crossing
//! per batch, not per job.

use std::fmt::Write;

use napi_derive::napi;
use serde_json::Value;

use super::channel::Sink;
use crate::engine::processor as messages;
use crate::engine::{Delivery, Outcome, ProcessError, Processor, SettledAs, WorkerEvent};

/// BullMQ's default messages of the errors a processor throws to end its job a
/// certain way; the JS classes (`src/js/outcome-errors.js`) take them from here.
#[napi(object)]
pub struct OutcomeErrorMessages {
    /// `UnrecoverableError`'s (`UNRECOVERABLE_ERROR`).
    pub unrecoverable: String,
    /// `RateLimitError`'s (`RATE_LIMIT_ERROR`).
    pub rate_limit: String,
    /// `DelayedError`'s (`DELAYED_ERROR`).
    pub delayed: String,
    /// `WaitingError`'s (`WAITING_ERROR`).
    pub waiting: String,
    /// `WaitingChildrenError`'s (`WAITING_CHILDREN_ERROR`).
    pub waiting_children: String,
}

/// The engine's copies of BullMQ's processor-error messages.
#[napi(catch_unwind)]
pub fn outcome_error_messages() -> OutcomeErrorMessages {
    OutcomeErrorMessages {
        unrecoverable: messages::UNRECOVERABLE_ERROR.into(),
        rate_limit: messages::RATE_LIMIT_ERROR.into(),
        delayed: messages::DELAYED_ERROR.into(),
        waiting: messages::WAITING_ERROR.into(),
        waiting_children: messages::WAITING_CHILDREN_ERROR.into(),
    }
}

/// The worker's end of the channel. Its sink keeps Node alive while the worker
/// lives, as BullMQ's does; the engine drops the processor when it closes.
pub struct JsProcessor {
    pub sink: Sink,
}

impl Processor for JsProcessor {
    fn deliver(&self, d: Delivery) {
        self.sink.push(delivery_json(&d));
    }
}

/// `{"jobs":[...],"settled":[...],"events":[[name, arg?], ...]}`; job objects are
/// embedded as the engine serialised them.
fn delivery_json(d: &Delivery) -> String {
    let mut s = String::with_capacity(256 + d.jobs_json.iter().map(String::len).sum::<usize>());
    s.push_str("{\"jobs\":[");
    // The worker serialised each job when it checked it (corrupt ones it failed itself).
    for (i, js) in d.jobs_json.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(js);
    }
    s.push_str("],\"settled\":[");
    // Written directly (no serde_json::Value per job): this runs for every job.
    for (i, x) in d.settled.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"id\":");
        push_json_str(&mut s, &x.job_id);
        s.push_str(",\"state\":\"");
        s.push_str(x.state.as_str());
        let _ = write!(s, "\",\"attemptsMade\":{}", x.attempts_made);
        if let SettledAs::Rejected(m) = &x.state {
            s.push_str(",\"message\":");
            push_json_str(&mut s, m);
        }
        if let Some(t) = x.finished_on {
            let _ = write!(s, ",\"finishedOn\":{t}");
        }
        if let Some(r) = &x.failed_reason {
            s.push_str(",\"failedReason\":");
            push_json_str(&mut s, r);
        }
        if let Some(t) = &x.stacktrace {
            s.push_str(",\"stacktrace\":");
            push_raw_json(&mut s, t);
        }
        if let Some(d) = x.delay_ms {
            let _ = write!(s, ",\"delay\":{d}");
        }
        if let Some(j) = &x.job {
            s.push_str(",\"job\":");
            push_raw_json(&mut s, j);
        }
        s.push('}');
    }
    s.push(']');
    s.push_str(",\"events\":");
    let events: Vec<Value> = d
        .events
        .iter()
        .map(|e| match e {
            WorkerEvent::Error { code, message } => serde_json::json!(["error", message, code]),
            WorkerEvent::Drained => serde_json::json!(["drained"]),
            WorkerEvent::Stalled(id) => serde_json::json!(["stalled", id]),
            WorkerEvent::LockLost(id) => serde_json::json!(["lockLost", id]),
            WorkerEvent::Closed => serde_json::json!(["closed"]),
        })
        .collect();
    s.push_str(&Value::Array(events).to_string());
    s.push('}');
    s
}

/// Appends engine-made JSON text as is, or `null` should it not be JSON.
fn push_raw_json(out: &mut String, v: &str) {
    if serde_json::from_str::<&serde_json::value::RawValue>(v).is_ok() {
        out.push_str(v);
    } else {
        out.push_str("null");
    }
}

/// Appends `v` as a JSON string literal.
fn push_json_str(out: &mut String, v: &str) {
    match serde_json::to_string(v) {
        Ok(q) => out.push_str(&q),
        Err(_) => out.push_str("\"\""),
    }
}

/// Turns what JS reported into an outcome. `payload` is the result JSON when
/// `ok`, else `{ name, message, stack, backoff? }`; the engine settles an error
/// by its name (RateLimitError, DelayedError and kin, UnrecoverableError).
pub fn outcome(ok: bool, payload: String) -> Outcome {
    if ok {
        return Outcome::Completed(payload);
    }
    let v: Value = serde_json::from_str(&payload).unwrap_or(Value::Null);
    let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Outcome::Failed {
        error: ProcessError {
            name: text("name").unwrap_or_else(|| "Error".into()),
            message: text("message").unwrap_or_default(),
            stack: text("stack"),
        },
        backoff_ms: v.get("backoff").and_then(Value::as_f64).map(|b| b as i64),
    }
}
