//! `NativeFlowProducer`: the engine's FlowProducer for JS. Trees cross as
//! JSON text (each node's `data` already as JSON text, `dataJson`); answers
//! come back through the ordered channel as JSON text.

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::channel::{Channel, NativeChannel};
use super::error::{Code, coded};
use super::options::{self, QueueHandleOptions};
use crate::engine::flow::{AddedNode, FlowJob, FlowNode, FlowProducer};
use crate::engine::{self, Error};

/// A flow producer handle. Wrapped by `FlowProducer` in JS.
#[napi]
pub struct NativeFlowProducer {
    inner: Arc<FlowProducer>,
    channel: Channel,
}

/// `{ name, queueName, prefix?, dataJson?, opts?, children? }` → a [`FlowJob`].
fn flow_job(v: &Value, field: &str) -> engine::Result<FlowJob> {
    let o = v.as_object().ok_or_else(|| {
        Error::invalid(
            field,
            "must be { name, queueName, data?, opts?, children? }",
        )
    })?;
    let text = |k: &str| match o.get(k) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        None | Some(Value::Null) => Ok(None),
        Some(_) => Err(Error::invalid(format!("{field}.{k}"), "must be a string")),
    };
    let name =
        text("name")?.ok_or_else(|| Error::invalid(format!("{field}.name"), "is required"))?;
    let queue_name = text("queueName")?
        .ok_or_else(|| Error::invalid(format!("{field}.queueName"), "is required"))?;
    let opts = match o.get("opts") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(Error::invalid(format!("{field}.opts"), "must be an object")),
    };
    let children = match o.get("children") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, c)| flow_job(c, &format!("{field}.children[{i}]")))
            .collect::<engine::Result<_>>()?,
        Some(_) => {
            return Err(Error::invalid(
                format!("{field}.children"),
                "must be an array",
            ));
        }
    };
    Ok(FlowJob {
        name,
        queue_name,
        prefix: text("prefix")?,
        data: text("dataJson")?.unwrap_or_else(|| "{}".into()),
        opts,
        children,
    })
}

/// The added nodes as JSON: `[{ id, queueName, prefix, parent, opts, timestamp, refused }]`.
fn added_json(nodes: &[AddedNode]) -> String {
    let list: Vec<Value> = nodes
        .iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id,
                "queueName": n.queue_name,
                "prefix": n.prefix,
                "parent": n.parent,
                "opts": serde_json::from_str::<Value>(&n.opts).unwrap_or(Value::Null),
                "timestamp": n.timestamp,
                "refused": n.refused,
            })
        })
        .collect();
    Value::Array(list).to_string()
}

/// A flow node as JSON: `{ queueName, prefix, job, children? }` (a missing child is null).
fn node_json(n: &FlowNode) -> engine::Result<String> {
    let mut s = format!(
        "{{\"queueName\":{},\"prefix\":{},\"job\":{}",
        Value::from(n.queue_name.as_str()),
        Value::from(n.prefix.as_str()),
        n.job.to_json()?
    );
    if let Some(children) = &n.children {
        let parts = children
            .iter()
            .map(|c| match c {
                Some(c) => node_json(c),
                None => Ok("null".to_string()),
            })
            .collect::<engine::Result<Vec<_>>>()?;
        s.push_str(&format!(",\"children\":[{}]", parts.join(",")));
    }
    s.push('}');
    Ok(s)
}

fn count(v: f64, field: &str) -> engine::Result<u64> {
    if v.is_finite() && v >= 0.0 && v.fract() == 0.0 {
        Ok(v as u64)
    } else {
        Err(Error::invalid(
            field,
            format!("must be an integer >= 0, got {v}"),
        ))
    }
}

#[napi]
impl NativeFlowProducer {
    /// `{ connection, prefix }` as for a queue; answers go through `channel`.
    #[napi(constructor, catch_unwind)]
    pub fn new(opts: QueueHandleOptions, channel: &NativeChannel) -> Result<Self, Code> {
        let (conn, qopts) = options::queue(&opts).map_err(|e| coded(&e))?;
        let fp = napi::bindgen_prelude::within_runtime_if_available(|| {
            FlowProducer::new(&conn, &qopts.prefix)
        })
        .map_err(|e| coded(&e))?;
        Ok(NativeFlowProducer {
            inner: Arc::new(fp),
            channel: channel.channel.clone(),
        })
    }

    /// The default key prefix.
    #[napi(getter, catch_unwind)]
    pub fn prefix(&self) -> String {
        self.inner.prefix().to_string()
    }

    /// Adds one flow. Request: resolves with its nodes as JSON text (tree
    /// order); rejects when its root is refused.
    #[napi(catch_unwind)]
    pub fn add(&self, env: &Env, flow_json: String) -> u32 {
        let fp = self.inner.clone();
        self.channel.request(env, async move {
            let flow: Value = serde_json::from_str(&flow_json)
                .map_err(|e| Error::invalid("flow", format!("must be a JSON object ({e})")))?;
            let nodes = fp.add(flow_job(&flow, "flow")?).await?;
            Ok(added_json(&nodes))
        })
    }

    /// Adds flows in one atomic call. Request: resolves with a JSON array of
    /// each flow's nodes.
    #[napi(catch_unwind)]
    pub fn add_bulk(&self, env: &Env, flows_json: String) -> u32 {
        let fp = self.inner.clone();
        self.channel.request(env, async move {
            let flows: Value = serde_json::from_str(&flows_json)
                .map_err(|e| Error::invalid("flows", format!("must be a JSON array ({e})")))?;
            let list = flows
                .as_array()
                .ok_or_else(|| Error::invalid("flows", "must be an array"))?
                .iter()
                .enumerate()
                .map(|(i, f)| flow_job(f, &format!("flows[{i}]")))
                .collect::<engine::Result<Vec<_>>>()?;
            let added = fp.add_bulk(list).await?;
            let parts: Vec<String> = added.iter().map(|n| added_json(n)).collect();
            Ok(format!("[{}]", parts.join(",")))
        })
    }

    /// Request: resolves with the flow below a job as JSON text, or null.
    #[napi(catch_unwind)]
    pub fn get_flow(
        &self,
        env: &Env,
        id: String,
        queue_name: String,
        prefix: Option<String>,
        depth: f64,
        max_children: f64,
    ) -> u32 {
        let fp = self.inner.clone();
        self.channel.request(env, async move {
            let depth = count(depth, "depth")?;
            let max = count(max_children, "maxChildren")?;
            match fp
                .get_flow(&id, &queue_name, prefix.as_deref(), depth, max)
                .await?
            {
                Some(n) => Ok(Some(node_json(&n)?)),
                None => Ok(None),
            }
        })
    }

    /// Request: resolves once Redis answers.
    #[napi(catch_unwind)]
    pub fn ping(&self, env: &Env) -> u32 {
        let fp = self.inner.clone();
        self.channel.request(env, async move { fp.ping().await })
    }

    /// Marks the producer closed. Idempotent.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.close();
    }
}
