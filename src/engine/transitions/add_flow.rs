//! `lua/add_flow.lua`: adds the nodes of one or more flows (parents first)
//! across queues in one atomic call.

use redis::Value;

use super::{Call, parse};
use crate::engine::error::Result;
use crate::engine::queue::Queue;
use crate::engine::scripts::ADD_FLOW;

/// One node's ARGV group.
#[derive(Debug, Clone)]
pub struct FlowNode {
    /// Its queue's key base, `<prefix>:<queue>:`.
    pub base: String,
    /// Its id (a UUID when the node gave none).
    pub job_id: String,
    /// Job name.
    pub name: String,
    /// `data` JSON.
    pub data: String,
    /// Stored `opts` JSON.
    pub opts: String,
    /// Creation time (ms).
    pub timestamp: u64,
    /// `opts.delay`.
    pub delay: u64,
    /// `opts.priority`.
    pub priority: u64,
    /// `opts.lifo`.
    pub lifo: bool,
    /// The parent's full key and this child's `parent` JSON.
    pub parent: Option<(String, String)>,
    /// The node has children: it waits for them in `waiting-children`.
    pub has_children: bool,
}

/// What the script answered for one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeAdded {
    /// Stored (or an existing job with this id joined the flow).
    Id(String),
    /// Refused with a negative code: -5 parent missing, -7 another parent.
    Code(i64),
}

/// ARGV of `add_flow`.
#[derive(Debug)]
pub struct AddFlow<'a> {
    /// Now (ms), when released parents move on.
    pub now: u64,
    /// The nodes, every parent before its children.
    pub nodes: &'a [FlowNode],
}

impl AddFlow<'_> {
    /// Runs the script; `route` is the first node queue's `id` key (KEYS[1]).
    pub async fn run(&self, q: &Queue, route: &str) -> Result<Vec<NodeAdded>> {
        let mut call = Call::new(&ADD_FLOW, &[route])
            .arg(self.now)
            .arg(self.nodes.len());
        for n in self.nodes {
            let (pk, pj) = match &n.parent {
                Some((k, j)) => (k.as_str(), j.as_str()),
                None => ("", ""),
            };
            call = call
                .arg(&n.base)
                .arg(&n.job_id)
                .arg(&n.name)
                .arg(&n.data)
                .arg(&n.opts)
                .arg(n.timestamp)
                .arg(n.delay)
                .arg(n.priority)
                .arg(n.lifo)
                .arg(pk)
                .arg(pj)
                .arg(n.has_children);
        }
        let reply: Vec<Value> = call.invoke(q).await?;
        reply
            .into_iter()
            .map(|v| match v {
                Value::Int(code) => Ok(NodeAdded::Code(code)),
                other => Ok(NodeAdded::Id(parse(ADD_FLOW.name, Some(other))?)),
            })
            .collect()
    }
}
