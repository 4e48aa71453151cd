//! `deduplication`: at most one job per deduplication id (BullMQ's simple,
//! throttle and debounce modes, and `keepLastIfActive`).

use serde_json::Value;

use super::numbers::{boolean, non_negative_int};
use crate::engine::error::{Error, Result};

/// Deduplication settings (`opts.deduplication`).
#[derive(Debug, Clone, PartialEq)]
pub struct Dedup {
    /// The dedup id.
    pub id: String,
    /// TTL in ms (0 = until the job finishes).
    pub ttl_ms: u64,
    /// Re-arm the TTL on every duplicate.
    pub extend: bool,
    /// Debounce: a new job replaces a still-delayed one.
    pub replace: bool,
    /// While the owner is active, keep the newest duplicate and run it after.
    pub keep_last_if_active: bool,
}

pub(super) fn parse_dedup(v: &Value, field: &str) -> Result<Dedup> {
    let o = v
        .as_object()
        .ok_or_else(|| Error::invalid(field, "must be { id, ttl?, extend?, replace? }"))?;
    let id = match o.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::String(_)) | Some(Value::Null) | None => {
            return Err(Error::refused(
                format!("{field}.id"),
                "Deduplication id must be provided",
            ));
        }
        Some(_) => {
            return Err(Error::invalid(
                format!("{field}.id"),
                "must be a non-empty string",
            ));
        }
    };
    let ttl_ms = match o.get("ttl") {
        None | Some(Value::Null) => 0,
        Some(t) => non_negative_int(t, &format!("{field}.ttl"))?,
    };
    let extend = o
        .get("extend")
        .map(|b| boolean(b, &format!("{field}.extend")))
        .transpose()?
        .unwrap_or(false);
    let replace = o
        .get("replace")
        .map(|b| boolean(b, &format!("{field}.replace")))
        .transpose()?
        .unwrap_or(false);
    let keep_last_if_active = o
        .get("keepLastIfActive")
        .map(|b| boolean(b, &format!("{field}.keepLastIfActive")))
        .transpose()?
        .unwrap_or(false);
    Ok(Dedup {
        id,
        ttl_ms,
        extend,
        replace,
        keep_last_if_active,
    })
}
