//! The number and flag checks every option shares: one rule for "a whole
//! number >= 0" and "a number >= 0", whether the value came as JSON (job
//! options) or as a JS number (the binding's typed options).

use serde_json::Value;

use crate::engine::error::{Error, Result};

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn is_whole(x: f64) -> bool {
    (0.0..=MAX_SAFE_INTEGER).contains(&x) && x.fract() == 0.0
}

/// A whole number 0..=2^53-1 given as a JS number; else an invalid `field`.
pub fn whole_number(x: f64, field: &str) -> Result<u64> {
    if is_whole(x) {
        Ok(x as u64)
    } else {
        Err(Error::invalid(
            field,
            format!("must be an integer >= 0, got {x}"),
        ))
    }
}

/// A finite number >= 0 given as a JS number; else an invalid `field`.
pub fn non_negative(x: f64, field: &str) -> Result<f64> {
    if x >= 0.0 && x.is_finite() {
        Ok(x)
    } else {
        Err(Error::invalid(
            field,
            format!("must be a number >= 0, got {x}"),
        ))
    }
}

pub(crate) fn non_negative_int(v: &Value, field: &str) -> Result<u64> {
    match v.as_f64() {
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 => Ok(x as u64),
        _ => Err(Error::invalid(
            field,
            format!("must be an integer >= 0, got {}", short(v)),
        )),
    }
}

pub(crate) fn non_negative_num(v: &Value, field: &str) -> Result<f64> {
    match v.as_f64() {
        Some(x) if x >= 0.0 && x.is_finite() => Ok(x),
        _ => Err(Error::invalid(
            field,
            format!("must be a number >= 0, got {}", short(v)),
        )),
    }
}

/// JavaScript truthiness of a JSON value.
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

pub(crate) fn boolean(v: &Value, field: &str) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        _ => Err(Error::invalid(
            field,
            format!("must be a boolean, got {}", short(v)),
        )),
    }
}

pub(crate) fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}…", &s[..s.floor_char_boundary(40)])
    } else {
        s
    }
}
