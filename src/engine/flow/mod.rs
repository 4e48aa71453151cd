//! Flows (BullMQ's parent/child jobs): a tree of jobs, possibly across queues
//! of one prefix, where a parent waits in `waiting-children` until its
//! children finish, then runs with their results. [`FlowProducer`] adds trees
//! atomically and reads them back; the [`Queue`] methods in `read.rs` read one
//! parent's children; workers settle children in `move_to_finished`.
//!
//! On Redis Cluster one script touches every queue of a flow, so they must
//! share a hash slot (the same hash tag); a flow that does not is refused with
//! [`Error::CrossSlot`](super::error::Error::CrossSlot) before anything is written.

mod get;
mod nodes;
mod read;
mod slot;

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};

pub use get::FlowNode;
pub use read::{Dependencies, DependencyPage, DependencyQuery, reasons_json, values_json};

use super::connection::{Conn, ConnectionOptions, Target, command_connection};
use super::error::{Error, Result};
use super::options::JobOptions;
use super::queue::{NewJob, Queue, now_ms};
use super::transitions::add_flow::{AddFlow, NodeAdded};
use super::transitions::remove_child_dependency::RemoveChildDependency;
use super::transitions::remove_unprocessed_children::RemoveUnprocessedChildren;

/// One node of a flow as the caller describes it.
#[derive(Debug, Clone, Default)]
pub struct FlowJob {
    /// Job name.
    pub name: String,
    /// The node's queue.
    pub queue_name: String,
    /// Its prefix (`None` = the producer's).
    pub prefix: Option<String>,
    /// `data` as JSON text.
    pub data: String,
    /// Job options (long names); a root's `parent` names a parent outside the flow.
    pub opts: Map<String, Value>,
    /// Children, run before this node.
    pub children: Vec<FlowJob>,
}

/// What happened to one node, in the order the tree was walked (a node, then
/// its children depth first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedNode {
    /// Its queue's prefix.
    pub prefix: String,
    /// Its queue.
    pub queue_name: String,
    /// Its id (generated when the node gave none).
    pub id: String,
    /// Index of its parent among the nodes of the same call.
    pub parent: Option<usize>,
    /// The stored `opts` JSON.
    pub opts: String,
    /// Its creation time (ms).
    pub timestamp: u64,
    /// `None` when stored (or joined as an existing job); else BullMQ's code:
    /// -5 the parent does not exist, -7 the job has another parent.
    pub refused: Option<i64>,
}

/// Adds and reads flows over one connection (BullMQ's `FlowProducer`).
pub struct FlowProducer {
    target: Target,
    con: Conn,
    prefix: String,
    closed: AtomicBool,
}

impl FlowProducer {
    /// A producer whose nodes default to `prefix`; no I/O until first use.
    pub fn new(connection: &ConnectionOptions, prefix: &str) -> Result<FlowProducer> {
        if prefix.is_empty() {
            return Err(Error::invalid("prefix", "must not be empty"));
        }
        let target = connection.target()?;
        let con = command_connection(&target)?;
        Ok(FlowProducer {
            target,
            con,
            prefix: prefix.to_string(),
            closed: AtomicBool::new(false),
        })
    }

    /// The default prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// A handle on one queue over the producer's connection.
    pub fn queue(&self, prefix: Option<&str>, name: &str) -> Result<Queue> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Closed("flow producer"));
        }
        Queue::sharing(
            &self.target,
            &self.con,
            prefix.unwrap_or(&self.prefix),
            name,
        )
    }

    /// Adds one flow atomically. Fails when its root is refused (its parent
    /// is missing, or it exists with another parent); then nothing was added.
    pub async fn add(&self, flow: FlowJob) -> Result<Vec<AddedNode>> {
        let mut added = self.add_bulk(vec![flow]).await?;
        let nodes = added.pop().unwrap_or_default();
        if let Some(root) = nodes.first()
            && let Some(code) = root.refused
        {
            let parent_key = flow_parent_key(&root.opts).unwrap_or_default();
            return Err(Error::from_script_code(
                "add_flow",
                code,
                &parent_key,
                "any",
            ));
        }
        Ok(nodes)
    }

    /// Adds several flows in one atomic call; each flow's nodes in tree order.
    /// As in BullMQ, a refused node (see [`AddedNode::refused`]) does not fail the call.
    pub async fn add_bulk(&self, flows: Vec<FlowJob>) -> Result<Vec<Vec<AddedNode>>> {
        // A lone job with deduplication (the only flow node bullmq lets have
        // it) is a plain add with its dedup rules; the trees go in one call.
        let deduplicated = |f: &FlowJob| {
            f.children.is_empty() && f.opts.get("deduplication").is_some_and(|v| !v.is_null())
        };
        let (lone, trees): (Vec<_>, Vec<_>) = flows
            .into_iter()
            .enumerate()
            .partition(|(_, f)| deduplicated(f));
        if lone.is_empty() {
            return self
                .add_trees(trees.into_iter().map(|(_, f)| f).collect())
                .await;
        }
        let positions: Vec<usize> = trees.iter().map(|(i, _)| *i).collect();
        let added = self
            .add_trees(trees.into_iter().map(|(_, f)| f).collect())
            .await?;
        let mut out: Vec<Option<Vec<AddedNode>>> = vec![None; positions.len() + lone.len()];
        for (i, nodes) in positions.into_iter().zip(added) {
            out[i] = Some(nodes);
        }
        for (i, flow) in lone {
            out[i] = Some(vec![self.add_lone(flow).await?]);
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// One job through the queue's plain add (deduplication applies).
    async fn add_lone(&self, flow: FlowJob) -> Result<AddedNode> {
        let q = self.queue(flow.prefix.as_deref(), &flow.queue_name)?;
        let mut opts = flow.opts;
        let has_id = matches!(opts.get("jobId"), Some(Value::String(s)) if !s.is_empty());
        if !has_id {
            opts.insert(
                "jobId".into(),
                Value::from(uuid::Uuid::new_v4().to_string()),
            );
        }
        let opts = JobOptions::from_json(opts)?;
        let (stored, timestamp) = (opts.stored.clone(), opts.timestamp.unwrap_or_else(now_ms));
        let id = q
            .add(NewJob {
                name: flow.name,
                data: flow.data,
                opts: JobOptions {
                    timestamp: Some(timestamp),
                    ..opts
                },
            })
            .await?;
        Ok(AddedNode {
            prefix: q.prefix().to_string(),
            queue_name: flow.queue_name,
            id,
            parent: None,
            opts: stored,
            timestamp,
            refused: None,
        })
    }

    async fn add_trees(&self, flows: Vec<FlowJob>) -> Result<Vec<Vec<AddedNode>>> {
        let now = now_ms();
        let mut flat = Vec::new();
        let mut starts = Vec::with_capacity(flows.len());
        for (i, flow) in flows.iter().enumerate() {
            starts.push(flat.len());
            let field = if flows.len() > 1 {
                format!("flows[{i}]")
            } else {
                "flow".to_string()
            };
            nodes::flatten(flow, None, &self.prefix, now, &field, &mut flat)?;
        }
        let Some((first, placed)) = flat.first() else {
            return Ok(Vec::new());
        };
        if self.target.is_cluster() {
            slot::check_one_slot(&first.base, flat.iter().map(|(n, _)| n))?;
        }
        let route = self.queue(Some(&placed.prefix), &placed.queue_name)?;
        let (args, placed): (Vec<_>, Vec<_>) = flat.into_iter().unzip();
        let replies = AddFlow { now, nodes: &args }
            .run(&route, &route.keys().id)
            .await?;
        tracing::debug!(nodes = args.len(), flows = starts.len(), "flows added");
        let mut out: Vec<Vec<AddedNode>> = Vec::with_capacity(starts.len());
        for (i, ((node, place), reply)) in args.into_iter().zip(placed).zip(replies).enumerate() {
            if starts.contains(&i) {
                out.push(Vec::new());
            }
            let start = starts[out.len() - 1];
            let (id, refused) = match reply {
                NodeAdded::Id(id) => (id, None),
                NodeAdded::Code(c) => (node.job_id, Some(c)),
            };
            if let Some(flow) = out.last_mut() {
                flow.push(AddedNode {
                    prefix: place.prefix,
                    queue_name: place.queue_name,
                    id,
                    parent: place.parent.map(|p| p - start),
                    opts: node.opts,
                    timestamp: node.timestamp,
                    refused,
                });
            }
        }
        Ok(out)
    }

    /// Checks that Redis answers.
    pub async fn ping(&self) -> Result<()> {
        let mut con = self.con.clone();
        redis::cmd("PING").query_async::<()>(&mut con).await?;
        Ok(())
    }

    /// Marks the producer closed; later calls fail with `Closed`. Idempotent.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }
}

/// The `parent` named in stored opts, as a full key (for the -5/-7 messages).
fn flow_parent_key(opts: &str) -> Option<String> {
    let v: Value = serde_json::from_str(opts).ok()?;
    let p = v.get("parent")?;
    Some(super::keys::QueueKeys::job_in(
        p.get("queue")?.as_str()?,
        &match p.get("id")? {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        },
    ))
}

impl Queue {
    /// Takes job `id` out of the pending dependencies of its parent
    /// `parent_key` for good (BullMQ's `job.removeChildDependency`): true when
    /// it did, false when it was not pending there; a parent left with nothing
    /// pending moves on.
    pub async fn remove_child_dependency(&self, id: &str, parent_key: &str) -> Result<bool> {
        let job_key = self.keys().job(id);
        if self.inner.target.is_cluster()
            && slot::hash_slot(&job_key) != slot::hash_slot(parent_key)
        {
            return Err(Error::CrossSlot {
                first: job_key,
                other: parent_key.to_string(),
            });
        }
        RemoveChildDependency {
            job_id: id,
            parent_key,
        }
        .run(self)
        .await
    }

    /// Removes the children job `id` still waits for, and theirs (BullMQ's
    /// `job.removeUnprocessedChildren`); held, failed and finished children
    /// stay. Answers how many jobs were removed.
    pub async fn remove_unprocessed_children(&self, id: &str) -> Result<u64> {
        RemoveUnprocessedChildren { job_id: id }.run(self).await
    }

    /// Adds jobs of which some are flow children (`opts.parent`): each run of
    /// consecutive children goes through `add_flow`, each run of other jobs
    /// through the plain add, in input order (so counter ids are as BullMQ's
    /// pipeline gives them).
    pub(crate) async fn add_with_parents(
        &self,
        jobs: Vec<NewJob>,
        now: u64,
    ) -> Result<Vec<String>> {
        let mut ids = Vec::with_capacity(jobs.len());
        let mut jobs = jobs.into_iter().peekable();
        while let Some(first) = jobs.next() {
            let child_run = first.opts.parent.is_some();
            let mut run = vec![first];
            while let Some(j) = jobs.next_if(|j| j.opts.parent.is_some() == child_run) {
                run.push(j);
            }
            if child_run {
                ids.extend(self.add_children(run, now).await?);
            } else {
                let added = crate::engine::transitions::add_jobs::AddJobs {
                    jobs: &run,
                    now_ms: now,
                }
                .run(self)
                .await?;
                ids.extend(added);
            }
        }
        Ok(ids)
    }

    /// Adds flow children of existing parents in one `add_flow` call.
    async fn add_children(&self, jobs: Vec<NewJob>, now: u64) -> Result<Vec<String>> {
        let mut parent_keys = Vec::with_capacity(jobs.len());
        let nodes: Vec<_> = jobs
            .into_iter()
            .map(|j| {
                let parent = j.opts.parent.as_ref().map(|p| (p.key(), p.json()));
                parent_keys.push(parent.as_ref().map(|p| p.0.clone()).unwrap_or_default());
                crate::engine::transitions::add_flow::FlowNode {
                    base: self.keys().base().to_string(),
                    job_id: j
                        .opts
                        .job_id
                        .clone()
                        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                    timestamp: j.opts.timestamp.unwrap_or(now),
                    delay: j.opts.delay,
                    priority: j.opts.priority,
                    lifo: j.opts.lifo,
                    parent,
                    has_children: false,
                    name: j.name,
                    data: j.data,
                    opts: j.opts.stored,
                }
            })
            .collect();
        if self.inner.target.is_cluster() {
            slot::check_one_slot(self.keys().base(), nodes.iter())?;
        }
        let replies = AddFlow { now, nodes: &nodes }
            .run(self, &self.keys().id)
            .await?;
        replies
            .into_iter()
            .zip(parent_keys)
            .map(|(reply, parent_key)| match reply {
                NodeAdded::Id(id) => Ok(id),
                NodeAdded::Code(c) => {
                    Err(Error::from_script_code("add_flow", c, &parent_key, "any"))
                }
            })
            .collect()
    }
}
