//! Reading a flow back from any of its nodes (BullMQ's `FlowProducer.getFlow`).

use std::future::Future;
use std::pin::Pin;

use super::{DependencyPage, DependencyQuery, FlowProducer};
use crate::engine::error::Result;
use crate::engine::job::Job;

/// A job of a flow and, down to the depth asked, its children.
#[derive(Debug, Clone)]
pub struct FlowNode {
    /// The node's queue prefix.
    pub prefix: String,
    /// The node's queue.
    pub queue_name: String,
    /// The job.
    pub job: Job,
    /// Its children (`None` at the depth limit or without children); a child
    /// whose hash is gone is `None` in the list, as BullMQ leaves it undefined.
    pub children: Option<Vec<Option<FlowNode>>>,
}

/// `<prefix>:<queue>:<id>` split at its last two ':' (BullMQ's parseNodeKey).
fn parse_node_key(key: &str) -> (String, String, String) {
    let last = key.rfind(':');
    let prev = last.and_then(|l| key[..l].rfind(':'));
    match (prev, last) {
        (Some(p), Some(l)) => (
            key[..p].to_string(),
            key[p + 1..l].to_string(),
            key[l + 1..].to_string(),
        ),
        _ => {
            let mut parts = key.split(':').map(str::to_string);
            (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            )
        }
    }
}

type NodeFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<FlowNode>>> + Send + 'a>>;

impl FlowProducer {
    /// The flow below job `id` of `queue_name` (prefix `None` = the
    /// producer's): `depth` levels (BullMQ's default 10), at most about
    /// `max_children` children of each kind per node (default 20).
    pub async fn get_flow(
        &self,
        id: &str,
        queue_name: &str,
        prefix: Option<&str>,
        depth: u64,
        max_children: u64,
    ) -> Result<Option<FlowNode>> {
        let prefix = prefix.unwrap_or(self.prefix()).to_string();
        self.node(
            prefix,
            queue_name.to_string(),
            id.to_string(),
            depth,
            max_children,
        )
        .await
    }

    fn node(
        &self,
        prefix: String,
        queue_name: String,
        id: String,
        depth: u64,
        max_children: u64,
    ) -> NodeFuture<'_> {
        Box::pin(async move {
            let q = self.queue(Some(&prefix), &queue_name)?;
            let Some(job) = q.get_job(&id).await? else {
                return Ok(None);
            };
            let page = Some(DependencyPage {
                cursor: 0,
                count: max_children,
            });
            let deps = q
                .get_dependencies(
                    &id,
                    DependencyQuery {
                        processed: page,
                        unprocessed: page,
                        ignored: page,
                        failed: page,
                    },
                )
                .await?;
            let mut keys: Vec<String> = Vec::new();
            keys.extend(
                deps.processed
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, _)| k),
            );
            keys.extend(deps.unprocessed.unwrap_or_default());
            keys.extend(deps.failed.unwrap_or_default());
            keys.extend(deps.ignored.unwrap_or_default().into_iter().map(|(k, _)| k));
            let depth = depth.saturating_sub(1);
            let children = if !keys.is_empty() && depth > 0 {
                let mut out = Vec::with_capacity(keys.len());
                for key in keys {
                    let (p, qn, cid) = parse_node_key(&key);
                    out.push(self.node(p, qn, cid, depth, max_children).await?);
                }
                Some(out)
            } else {
                None
            };
            Ok(Some(FlowNode {
                prefix,
                queue_name,
                job,
                children,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_node_key;

    #[test]
    fn node_keys_split_like_bullmq() {
        assert_eq!(
            parse_node_key("bull:q:abc"),
            ("bull".into(), "q".into(), "abc".into())
        );
        assert_eq!(
            parse_node_key("{my}:app:q:1"),
            ("{my}:app".into(), "q".into(), "1".into())
        );
    }
}
