//! `parent`: the flow parent a job is a child of (BullMQ's `{ id, queue }`).

use serde_json::{Map, Value};

use crate::engine::error::{Error, Result};
use crate::engine::keys::QueueKeys;

/// A child's parent (`opts.parent`, BullMQ's `{ id, queue }`) and how the
/// parent reacts when the child fails for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    /// The parent's job id.
    pub id: String,
    /// The parent's queue, qualified: `<prefix>:<queueName>`.
    pub queue: String,
    /// The failure flags set on the child, in BullMQ's order (`fpof`, `rdof`,
    /// `idof`, `cpof`); at most one is allowed.
    pub flags: Vec<&'static str>,
}

impl ParentRef {
    /// The parent's job key, `<queue>:<id>` (BullMQ's `parentKey`).
    pub fn key(&self) -> String {
        QueueKeys::job_in(&self.queue, &self.id)
    }

    /// The child's `parent` field: `{"id","queueKey",<flag>:true}` as BullMQ stores it.
    pub fn json(&self) -> String {
        let mut m = Map::new();
        m.insert("id".into(), Value::from(self.id.clone()));
        m.insert("queueKey".into(), Value::from(self.queue.clone()));
        for f in &self.flags {
            m.insert((*f).into(), Value::Bool(true));
        }
        Value::Object(m).to_string()
    }
}

pub(super) fn parse_parent(v: &Value, field: &str) -> Result<ParentRef> {
    let text = |k: &str| match v.get(k) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) if k == "id" => Ok(n.to_string()),
        _ => Err(Error::invalid(
            format!("{field}.{k}"),
            "must be a non-empty string ({ id, queue: '<prefix>:<queueName>' })",
        )),
    };
    if !v.is_object() {
        return Err(Error::invalid(field, "must be { id, queue }"));
    }
    Ok(ParentRef {
        id: text("id")?,
        queue: text("queue")?,
        flags: Vec::new(),
    })
}
