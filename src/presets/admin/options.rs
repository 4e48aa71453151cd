//! [`AdminOptions`]: the admin endpoints' base path and health thresholds,
//! read from the JSON the JS adapter passes in.

use serde_json::{Map, Value};

use super::HealthThresholds;
use crate::engine;

/// How the admin endpoints are set up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminOptions {
    /// A path prefix removed from request paths that start with it (for servers
    /// that pass the full path, e.g. node:http); `""` = routes at the root.
    pub base_path: String,
    /// When `/health` reports issues.
    pub health: HealthThresholds,
}

impl AdminOptions {
    /// Reads `{ basePath?, healthThresholds?: { failed?, waiting? } }`;
    /// errors name the field.
    pub fn from_json(v: &Value) -> engine::Result<AdminOptions> {
        let empty = Map::new();
        let o = match v {
            Value::Object(o) => o,
            Value::Null => &empty,
            _ => return Err(engine::Error::invalid("options", "must be an object")),
        };
        let base_path = match o.get("basePath") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) if s.is_empty() || (s.starts_with('/') && !s.contains('?')) => {
                s.clone()
            }
            Some(v) => {
                return Err(engine::Error::invalid(
                    "basePath",
                    format!("must be a path starting with '/', got {v}"),
                ));
            }
        };
        let mut health = HealthThresholds::default();
        match o.get("healthThresholds") {
            None | Some(Value::Null) => {}
            Some(Value::Object(t)) => {
                for (key, slot) in [
                    ("failed", &mut health.failed),
                    ("waiting", &mut health.waiting),
                ] {
                    match t.get(key) {
                        None | Some(Value::Null) => {}
                        Some(v) => {
                            *slot = v.as_u64().ok_or_else(|| {
                                engine::Error::invalid(
                                    format!("healthThresholds.{key}"),
                                    format!("must be an integer >= 0, got {v}"),
                                )
                            })?
                        }
                    }
                }
            }
            Some(_) => {
                return Err(engine::Error::invalid(
                    "healthThresholds",
                    "must be { failed?, waiting? }",
                ));
            }
        }
        Ok(AdminOptions { base_path, health })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_default_to_the_seed_thresholds_and_name_bad_fields() {
        let o = AdminOptions::from_json(&Value::Null).unwrap();
        assert_eq!(o.health.failed, 10);
        assert_eq!(o.health.waiting, 100);
        let o = AdminOptions::from_json(
            &json!({ "basePath": "/admin/queues", "healthThresholds": { "failed": 0 } }),
        )
        .unwrap();
        assert_eq!(
            (o.base_path.as_str(), o.health.failed, o.health.waiting),
            ("/admin/queues", 0, 100)
        );
        for (bad, field) in [
            (json!({ "basePath": "admin" }), "basePath"),
            (
                json!({ "healthThresholds": { "waiting": -1 } }),
                "healthThresholds.waiting",
            ),
            (json!({ "healthThresholds": 5 }), "healthThresholds"),
        ] {
            match AdminOptions::from_json(&bad) {
                Err(engine::Error::InvalidOption { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
