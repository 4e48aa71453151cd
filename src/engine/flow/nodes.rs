//! A flow tree becomes the flat, parents-first list of nodes `add_flow` takes:
//! ids (UUIDs when not given, as BullMQ 6), the `parent` option and field of
//! each child, validated options.

use serde_json::{Map, Value};

use super::FlowJob;
use crate::engine::error::{Error, Result};
use crate::engine::keys::QueueKeys;
use crate::engine::options::JobOptions;
use crate::engine::queue::validate_queue_name;
use crate::engine::transitions::add_flow::FlowNode;

/// Where a flattened node sits, for answering in tree shape.
#[derive(Debug, Clone)]
pub(crate) struct Placed {
    /// The node's queue prefix.
    pub prefix: String,
    /// The node's queue name.
    pub queue_name: String,
    /// Index of its parent in the flat list.
    pub parent: Option<usize>,
}

/// Appends `flow` (then its children, depth first) to `out`. `parent` is the
/// parent node given by the tree, or `None` for a root (whose own
/// `opts.parent` may name a parent outside the flow).
pub(crate) fn flatten(
    flow: &FlowJob,
    parent: Option<(usize, &ParentLink)>,
    default_prefix: &str,
    now: u64,
    field: &str,
    out: &mut Vec<(FlowNode, Placed)>,
) -> Result<()> {
    let prefix = flow.prefix.as_deref().unwrap_or(default_prefix).to_string();
    validate_queue_name(&flow.queue_name).map_err(|e| match e {
        Error::InvalidOption { reason, .. } => Error::invalid(format!("{field}.queueName"), reason),
        other => other,
    })?;
    if prefix.is_empty() {
        return Err(Error::invalid(
            format!("{field}.prefix"),
            "must not be empty",
        ));
    }
    let keys = QueueKeys::new(&prefix, &flow.queue_name);
    let has_children = !flow.children.is_empty();
    let mut opts: Map<String, Value> = flow.opts.clone();
    if has_children && opts.get("deduplication").is_some_and(|v| !v.is_null()) {
        return Err(Error::refused(
            format!("{field}.opts.deduplication"),
            "Deduplication options cannot be used on flow nodes with children",
        ));
    }
    if let Some((_, link)) = parent {
        // A tree child's parent is the node above it, whatever its opts say.
        opts.insert(
            "parent".into(),
            serde_json::json!({ "id": link.id, "queue": link.queue }),
        );
    }
    let parsed = JobOptions::from_json(opts).map_err(|e| match e {
        Error::InvalidOption { field: f, reason } => Error::InvalidOption {
            field: format!("{field}.{f}"),
            reason,
        },
        Error::Refused { field: f, message } => Error::Refused {
            field: format!("{field}.{f}"),
            message,
        },
        other => other,
    })?;
    if let Some(limit) = parsed.size_limit
        && flow.data.len() as u64 > limit
    {
        return Err(Error::refused(
            format!("{field}.data"),
            format!(
                "The size of job {} exceeds the limit {limit} bytes",
                flow.name
            ),
        ));
    }
    let job_id = parsed
        .job_id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let parent_field = parsed.parent.as_ref().map(|p| (p.key(), p.json()));
    let index = out.len();
    out.push((
        FlowNode {
            base: keys.base().to_string(),
            job_id: job_id.clone(),
            name: flow.name.clone(),
            data: flow.data.clone(),
            opts: parsed.stored.clone(),
            timestamp: parsed.timestamp.unwrap_or(now),
            delay: parsed.delay,
            priority: parsed.priority,
            lifo: parsed.lifo,
            parent: parent_field,
            has_children,
        },
        Placed {
            prefix: prefix.clone(),
            queue_name: flow.queue_name.clone(),
            parent: parent.map(|(i, _)| i),
        },
    ));
    let link = ParentLink {
        id: job_id,
        queue: keys.qualified().to_string(),
    };
    for (i, child) in flow.children.iter().enumerate() {
        flatten(
            child,
            Some((index, &link)),
            default_prefix,
            now,
            &format!("{field}.children[{i}]"),
            out,
        )?;
    }
    Ok(())
}

/// A parent as its children name it.
#[derive(Debug, Clone)]
pub(crate) struct ParentLink {
    /// The parent's id.
    pub id: String,
    /// Its queue, qualified `<prefix>:<name>`.
    pub queue: String,
}
