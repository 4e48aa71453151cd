//! `removeOnComplete` / `removeOnFail`: how many finished jobs to keep, and for how long.

use serde_json::Value;

use super::numbers::non_negative_int;
use crate::engine::error::{Error, Result};

/// How long finished jobs are kept (BullMQ's `removeOnComplete` / `removeOnFail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepJobs {
    /// Keep at most this many (-1 = all, 0 = none).
    pub count: i64,
    /// Remove those older than this many seconds (0 = no age limit).
    pub age_s: u64,
}

impl KeepJobs {
    /// Keep everything (BullMQ's default).
    pub const ALL: KeepJobs = KeepJobs {
        count: -1,
        age_s: 0,
    };

    /// Reads `true`, `false`, a count, or `{ age, count }`; `field` names it in errors.
    pub fn from_json(v: &Value, field: &str) -> Result<KeepJobs> {
        match v {
            Value::Bool(true) => Ok(KeepJobs { count: 0, age_s: 0 }),
            Value::Bool(false) => Ok(KeepJobs::ALL),
            Value::Number(n) => match n.as_f64() {
                Some(x) if x >= 0.0 && x.fract() == 0.0 => Ok(KeepJobs {
                    count: x as i64,
                    age_s: 0,
                }),
                _ => Err(Error::invalid(
                    field,
                    "must be true, false, a count >= 0 or { age, count }",
                )),
            },
            Value::Object(o) => {
                let count = match o.get("count") {
                    None | Some(Value::Null) => -1,
                    Some(c) => non_negative_int(c, &format!("{field}.count"))? as i64,
                };
                let age_s = match o.get("age") {
                    None | Some(Value::Null) => 0,
                    Some(a) => non_negative_int(a, &format!("{field}.age"))?,
                };
                Ok(KeepJobs { count, age_s })
            }
            _ => Err(Error::invalid(
                field,
                "must be true, false, a count >= 0 or { age, count }",
            )),
        }
    }
}
