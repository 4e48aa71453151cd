//! `backoff`: the delay between attempts, as a job's options give it.

use serde_json::Value;

use super::numbers::{non_negative_int, short};
use crate::engine::error::{Error, Result};

/// Backoff between attempts.
#[derive(Debug, Clone, PartialEq)]
pub enum Backoff {
    /// The same delay every time.
    Fixed {
        /// ms
        delay: u64,
        /// 0..=1
        jitter: f64,
    },
    /// `2^(n-1) * delay`.
    Exponential {
        /// ms
        delay: u64,
        /// 0..=1
        jitter: f64,
    },
    /// Computed by the worker's `backoffStrategy` (in JS).
    Custom {
        /// The type name given by the user.
        kind: String,
        /// ms, if given
        delay: u64,
    },
}

/// Reads a backoff option (`n` or `{ type, delay, jitter }`).
pub fn parse_backoff(v: &Value, field: &str) -> Result<Option<Backoff>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(_) => Ok(Some(Backoff::Fixed {
            delay: non_negative_int(v, field)?,
            jitter: 0.0,
        })),
        Value::Object(o) => {
            let delay = match o.get("delay") {
                None | Some(Value::Null) => 0,
                Some(d) => non_negative_int(d, &format!("{field}.delay"))?,
            };
            let jitter = match o.get("jitter") {
                None | Some(Value::Null) => 0.0,
                Some(j) => j
                    .as_f64()
                    .filter(|j| (0.0..=1.0).contains(j))
                    .ok_or_else(|| {
                        Error::refused(
                            format!("{field}.jitter"),
                            "Jitter should be between 0 and 1",
                        )
                    })?,
            };
            match o.get("type") {
                Some(Value::String(t)) if t == "fixed" => {
                    Ok(Some(Backoff::Fixed { delay, jitter }))
                }
                Some(Value::String(t)) if t == "exponential" => {
                    Ok(Some(Backoff::Exponential { delay, jitter }))
                }
                Some(Value::String(t)) if !t.is_empty() => Ok(Some(Backoff::Custom {
                    kind: t.clone(),
                    delay,
                })),
                Some(t) => Err(Error::invalid(
                    format!("{field}.type"),
                    format!(
                        "unknown backoff type {}; use 'fixed', 'exponential' or a custom type with a worker backoffStrategy",
                        short(t)
                    ),
                )),
                None => Err(Error::invalid(
                    format!("{field}.type"),
                    "is required ('fixed' or 'exponential')",
                )),
            }
        }
        _ => Err(Error::invalid(field, "must be a number or { type, delay }")),
    }
}
