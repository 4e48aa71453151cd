//! BullMQ's short keys in a job's stored `opts` JSON. BullMQ abbreviates some
//! option names when it stores a job (`keepLogs` → `kl`, ...) and keeps
//! `telemetry.metadata` / `telemetry.omitContext` as top-level `tm` / `omc`.
//! This is the one table of them in Rust: `JobOptions` writes with it, readers
//! (the admin preset's job view) turn stored opts back into the names users wrote.

use serde_json::{Map, Value};

/// Option name as users write it → key in the stored opts JSON.
pub const SHORT_KEYS: [(&str, &str); 6] = [
    ("deduplication", "de"),
    ("keepLogs", "kl"),
    ("failParentOnFailure", "fpof"),
    ("continueParentOnFailure", "cpof"),
    ("ignoreDependencyOnFailure", "idof"),
    ("removeDependencyOnFailure", "rdof"),
];

/// `telemetry.<name>` → top-level key in the stored opts JSON.
pub const TELEMETRY_KEYS: [(&str, &str); 2] = [("metadata", "tm"), ("omitContext", "omc")];

/// The stored key of option `long`, when BullMQ abbreviates it.
pub fn short_key(long: &str) -> Option<&'static str> {
    SHORT_KEYS.iter().find(|(l, _)| *l == long).map(|(_, s)| *s)
}

/// Stored opts with the names users wrote: `kl` → `keepLogs`, `tm` →
/// `telemetry.metadata`, ...; other keys as they are.
pub fn long_opts(stored: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::with_capacity(stored.len());
    let mut telemetry = Map::new();
    for (key, value) in stored {
        if let Some((name, _)) = TELEMETRY_KEYS.iter().find(|(_, s)| *s == key) {
            telemetry.insert((*name).to_string(), value);
        } else if let Some((long, _)) = SHORT_KEYS.iter().find(|(_, s)| *s == key) {
            out.insert((*long).to_string(), value);
        } else {
            out.insert(key, value);
        }
    }
    if !telemetry.is_empty() {
        out.insert("telemetry".into(), Value::Object(telemetry));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every short key reads back as its long name; telemetry keys nest again.
    #[test]
    fn stored_keys_read_back_as_written() {
        let stored = json!({"kl": 3, "de": {"id": "x"}, "tm": "m", "omc": true, "attempts": 2,
            "fpof": true});
        let Value::Object(stored) = stored else {
            unreachable!()
        };
        assert_eq!(
            Value::Object(long_opts(stored)),
            json!({"keepLogs": 3, "deduplication": {"id": "x"}, "attempts": 2,
                "failParentOnFailure": true, "telemetry": {"metadata": "m", "omitContext": true}})
        );
        for (long, short) in SHORT_KEYS {
            assert_eq!(short_key(long), Some(short));
        }
        assert_eq!(short_key("attempts"), None);
    }
}
