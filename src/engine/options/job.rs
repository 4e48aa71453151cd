//! A job's options: each validated (with BullMQ's messages where BullMQ has
//! them) and written into the `opts` JSON stored with the job, under BullMQ's
//! short keys (see [`names`](super::names)).

use serde_json::{Map, Value};

use super::backoff::{Backoff, parse_backoff};
use super::dedup::{Dedup, parse_dedup};
use super::job_id::validate_job_id;
use super::keep_jobs::KeepJobs;
use super::names::{TELEMETRY_KEYS, short_key};
use super::numbers::{boolean, non_negative_int, non_negative_num, short, truthy};
use super::parent::{ParentRef, parse_parent};
use crate::engine::error::{Error, Result};

/// BullMQ's largest priority (its `PRIORITY_LIMIT`, 2^21 - 1).
pub const MAX_PRIORITY: u64 = 2_097_151;

/// The options of one job, validated, plus the `opts` JSON to store.
#[derive(Debug, Clone)]
pub struct JobOptions {
    /// Custom job id.
    pub job_id: Option<String>,
    /// ms before the job becomes ready.
    pub delay: u64,
    /// 0 = none, 1 = highest.
    pub priority: u64,
    /// Put the job at the front of wait.
    pub lifo: bool,
    /// Creation time override (ms).
    pub timestamp: Option<u64>,
    /// Deduplication.
    pub dedup: Option<Dedup>,
    /// `sizeLimit`: the largest `data` JSON accepted for this job, in bytes (`None` = no limit).
    pub size_limit: Option<u64>,
    /// `parent`: the flow parent this job is a child of.
    pub parent: Option<ParentRef>,
    /// The stored `opts` JSON (abbreviated keys, BullMQ-style).
    pub stored: String,
}

/// A job priority, refused with BullMQ's messages: an integer 0..=MAX_PRIORITY.
pub fn priority(v: &Value, field: &str) -> Result<u64> {
    let Some(x) = v.as_f64() else {
        return Err(Error::invalid(
            field,
            format!("must be an integer >= 0, got {}", short(v)),
        ));
    };
    if x.fract() != 0.0 {
        return Err(Error::refused(field, "Priority should not be float"));
    }
    if !(0.0..=MAX_PRIORITY as f64).contains(&x) {
        return Err(Error::refused(
            field,
            format!("Priority should be between 0 and {MAX_PRIORITY}"),
        ));
    }
    Ok(x as u64)
}

impl JobOptions {
    /// Validates a user's options object and builds the stored opts JSON:
    /// `deduplication` → `de`, `keepLogs` → `kl` (and the flow flags),
    /// `telemetry.metadata` / `.omitContext` → `tm` / `omc`, a number
    /// backoff normalised to `{ type: 'fixed', delay }`, nulls dropped, and
    /// `attempts` always present, as BullMQ stores them.
    pub fn from_json(opts: Map<String, Value>) -> Result<JobOptions> {
        let mut out = Map::with_capacity(opts.len() + 1);
        let mut o = JobOptions {
            job_id: None,
            delay: 0,
            priority: 0,
            lifo: false,
            timestamp: None,
            dedup: None,
            size_limit: None,
            parent: None,
            stored: String::new(),
        };
        let mut attempts_seen = false;
        for (key, value) in opts.clone() {
            if value.is_null() {
                continue;
            }
            let field = format!("opts.{key}");
            let stored_key = match key.as_str() {
                "jobId" => {
                    let id = match &value {
                        // BullMQ takes an empty id for no id (a generated one).
                        Value::String(s) if s.is_empty() => continue,
                        Value::String(s) => s.clone(),
                        _ => {
                            return Err(Error::invalid(
                                field,
                                format!("must be a string, got {}", short(&value)),
                            ));
                        }
                    };
                    validate_job_id(&id)?;
                    o.job_id = Some(id);
                    "jobId"
                }
                "delay" => {
                    o.delay = non_negative_num(&value, &field)?.floor() as u64;
                    "delay"
                }
                "priority" => {
                    o.priority = priority(&value, &field)?;
                    "priority"
                }
                "lifo" => {
                    o.lifo = boolean(&value, &field)?;
                    "lifo"
                }
                "attempts" => {
                    non_negative_int(&value, &field)?;
                    attempts_seen = true;
                    "attempts"
                }
                "timestamp" => {
                    o.timestamp = Some(non_negative_int(&value, &field)?);
                    "timestamp"
                }
                "backoff" => {
                    // Any named type is accepted, as BullMQ does: the worker's
                    // backoffStrategy computes the delay of a type it does not know.
                    match parse_backoff(&value, &field)? {
                        Some(Backoff::Fixed { delay, .. }) if value.is_number() => {
                            out.insert(
                                "backoff".into(),
                                serde_json::json!({ "type": "fixed", "delay": delay }),
                            );
                            continue;
                        }
                        _ => {}
                    }
                    "backoff"
                }
                "removeOnComplete" | "removeOnFail" => {
                    KeepJobs::from_json(&value, &field)?;
                    key.as_str()
                }
                "stackTraceLimit" | "keepLogs" | "sizeLimit" => {
                    let n = non_negative_int(&value, &field)?;
                    if key == "sizeLimit" && n > 0 {
                        o.size_limit = Some(n);
                    }
                    key.as_str()
                }
                "debounce" => {
                    return Err(Error::refused(
                        field,
                        "Debounce option has been removed. Use deduplication option instead",
                    ));
                }
                "deduplication" => {
                    o.dedup = Some(parse_dedup(&value, &field)?);
                    key.as_str()
                }
                "telemetry" => {
                    // BullMQ keeps only these two, as top-level `tm` and `omc`.
                    if let Value::Object(t) = &value {
                        for (from, to) in TELEMETRY_KEYS {
                            if let Some(v) = t.get(from).filter(|v| !v.is_null()) {
                                out.insert(to.into(), v.clone());
                            }
                        }
                    }
                    continue;
                }
                "parent" => {
                    o.parent = Some(parse_parent(&value, &field)?);
                    "parent"
                }
                "repeat" => {
                    return Err(Error::invalid(
                        field,
                        "is not supported on add: use upsertJobScheduler for repeating jobs",
                    ));
                }
                _ => key.as_str(),
            };
            let stored_key = short_key(stored_key).unwrap_or(stored_key);
            out.insert(stored_key.to_string(), value);
        }
        // BullMQ's order in its message.
        let exclusive: Vec<&str> = [
            "removeDependencyOnFailure",
            "failParentOnFailure",
            "continueParentOnFailure",
            "ignoreDependencyOnFailure",
        ]
        .into_iter()
        .filter(|k| opts.get(*k).is_some_and(truthy))
        .collect();
        if exclusive.len() > 1 {
            return Err(Error::refused(
                "opts",
                format!(
                    "The following options cannot be used together: {}",
                    exclusive.join(", ")
                ),
            ));
        }
        if let Some(p) = o.parent.as_mut() {
            if o.dedup.is_some() {
                return Err(Error::refused(
                    "opts.deduplication",
                    "Deduplication and parent options cannot be used together",
                ));
            }
            // BullMQ's order on the parent field: fpof, rdof, idof, cpof.
            for (long, short) in [
                ("failParentOnFailure", "fpof"),
                ("removeDependencyOnFailure", "rdof"),
                ("ignoreDependencyOnFailure", "idof"),
                ("continueParentOnFailure", "cpof"),
            ] {
                if opts.get(long).is_some_and(truthy) {
                    p.flags.push(short);
                }
            }
        }
        if !attempts_seen {
            out.insert("attempts".into(), Value::from(0));
        }
        if o.dedup.is_some() && o.job_id.is_some() {
            // BullMQ allows both; the dedup id decides, the custom id names the job.
        }
        o.stored = Value::Object(out).to_string();
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn opts(v: Value) -> Result<JobOptions> {
        JobOptions::from_json(v.as_object().unwrap().clone())
    }

    #[test]
    fn stores_bullmq_shapes() {
        let o =
            opts(json!({"backoff": 100, "deduplication": {"id": "x"}, "keepLogs": 3, "foo": null}))
                .unwrap();
        let stored: Value = serde_json::from_str(&o.stored).unwrap();
        assert_eq!(stored["backoff"], json!({"type": "fixed", "delay": 100}));
        assert_eq!(stored["de"], json!({"id": "x"}));
        assert_eq!(stored["kl"], json!(3));
        assert_eq!(stored["attempts"], json!(0));
        assert!(stored.get("foo").is_none());
        let f = opts(json!({"failParentOnFailure": true})).unwrap();
        let stored: Value = serde_json::from_str(&f.stored).unwrap();
        assert_eq!(stored, json!({"fpof": true, "attempts": 0}));
        let t = opts(json!({"telemetry": {"metadata": "m", "omitContext": true}})).unwrap();
        let stored: Value = serde_json::from_str(&t.stored).unwrap();
        assert_eq!(stored, json!({"tm": "m", "omc": true, "attempts": 0}));
    }

    #[test]
    fn rejects_bad_input_naming_the_field() {
        for (v, field) in [
            (json!({"delay": -1}), "opts.delay"),
            (json!({"delay": "soon"}), "opts.delay"),
            (json!({"jobId": "123"}), "opts.jobId"),
            (json!({"jobId": "a:b"}), "opts.jobId"),
            (json!({"backoff": {"type": 7}}), "opts.backoff.type"),
            (json!({"removeOnComplete": "yes"}), "opts.removeOnComplete"),
        ] {
            match opts(v) {
                Err(Error::InvalidOption { field: f, .. } | Error::Refused { field: f, .. }) => {
                    assert_eq!(f, field)
                }
                other => panic!("expected InvalidOption for {field}, got {other:?}"),
            }
        }
    }

    #[test]
    fn refuses_with_bullmq_messages() {
        for (v, message) in [
            (json!({"jobId": "12"}), "Custom Id cannot be integers"),
            (json!({"jobId": "-3"}), "Custom Id cannot be integers"),
            (json!({"jobId": "a:b"}), "Custom Id cannot contain :"),
            (json!({"priority": 1.5}), "Priority should not be float"),
            (
                json!({"priority": 2_097_152}),
                "Priority should be between 0 and 2097151",
            ),
            (
                json!({"backoff": {"type": "fixed", "jitter": 2}}),
                "Jitter should be between 0 and 1",
            ),
            (
                json!({"deduplication": {"id": ""}}),
                "Deduplication id must be provided",
            ),
            (
                json!({"debounce": {"id": "x"}}),
                "Debounce option has been removed. Use deduplication option instead",
            ),
            (
                json!({"failParentOnFailure": true, "ignoreDependencyOnFailure": true}),
                "The following options cannot be used together: failParentOnFailure, ignoreDependencyOnFailure",
            ),
        ] {
            match opts(v.clone()) {
                Err(e @ Error::Refused { .. }) => {
                    assert_eq!(e.to_string(), message);
                    assert_eq!(e.code(), crate::engine::ErrorCode::InvalidOption);
                }
                other => panic!("expected {message:?} for {v}, got {other:?}"),
            }
        }
    }

    #[test]
    fn accepts_what_bullmq_accepts() {
        let o = opts(json!({"jobId": "", "priority": 2_097_151, "backoff": {"type": "my-type"}}))
            .unwrap();
        assert_eq!(o.job_id, None);
        assert_eq!(o.priority, 2_097_151);
    }
}
