//! Flow reads and moves on `NativeQueue`: a parent's children, and an active
//! job parking in waiting-children.

use napi::Env;
use napi_derive::napi;
use serde_json::Value;

use super::NativeQueue;
use crate::binding::options;
use crate::engine::flow::{self, DependencyPage, DependencyQuery};
use crate::engine::queue::now_ms;
use crate::engine::transitions::move_to_waiting_children::MoveToWaitingChildren;
use crate::engine::{self, Error};

/// `{ processed?: { cursor?, count? }, ... }` → the engine's query (BullMQ's
/// defaults: cursor 0, count 20).
fn query(json: &str) -> engine::Result<DependencyQuery> {
    let o = options::parse(json, "opts")?;
    let page = |k: &str| -> engine::Result<Option<DependencyPage>> {
        let Some(v) = o
            .get(k)
            .filter(|v| !v.is_null() && *v != &Value::Bool(false))
        else {
            return Ok(None);
        };
        let mut p = DependencyPage::default();
        for (name, slot) in [("cursor", &mut p.cursor), ("count", &mut p.count)] {
            if let Some(n) = v.get(name).filter(|n| !n.is_null()) {
                *slot = n.as_u64().ok_or_else(|| {
                    Error::invalid(format!("opts.{k}.{name}"), "must be an integer >= 0")
                })?;
            }
        }
        Ok(Some(p))
    };
    Ok(DependencyQuery {
        processed: page("processed")?,
        unprocessed: page("unprocessed")?,
        ignored: page("ignored")?,
        failed: page("failed")?,
    })
}

#[napi]
impl NativeQueue {
    /// Request: resolves with `{ childKey: value }` of the job's completed children, as JSON text.
    #[napi(catch_unwind)]
    pub fn get_children_values(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move {
            Ok(flow::values_json(&q.get_children_values(&id).await?))
        })
    }

    /// Request: resolves with `{ childKey: failedReason }` of the failures the job ignored, as JSON text.
    #[napi(catch_unwind)]
    pub fn get_ignored_children_failures(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move {
            Ok(flow::reasons_json(
                &q.get_ignored_children_failures(&id).await?,
            ))
        })
    }

    /// Request: resolves with BullMQ's `getDependencies` object as JSON text.
    #[napi(catch_unwind)]
    pub fn get_dependencies(&self, env: &Env, id: String, opts_json: String) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.get_dependencies(&id, query(&opts_json)?).await?.to_json())
        })
    }

    /// Request: resolves with `{ list: count }` for the lists named, as JSON text.
    #[napi(catch_unwind)]
    pub fn get_dependencies_count(&self, env: &Env, id: String, lists: Vec<String>) -> u32 {
        self.ask(env, |q| async move {
            // In the order asked, as BullMQ builds it.
            let counts = q.get_dependencies_count(&id, &lists).await?;
            let fields: Vec<String> = counts
                .into_iter()
                .map(|(k, v)| format!("{}:{v}", Value::from(k)))
                .collect();
            Ok(format!("{{{}}}", fields.join(",")))
        })
    }

    /// Parks an active job until its children finish. Request: resolves true
    /// when it moved, false when nothing is pending.
    #[napi(catch_unwind)]
    pub fn move_to_waiting_children(
        &self,
        env: &Env,
        id: String,
        token: String,
        child_key: Option<String>,
    ) -> u32 {
        self.ask(env, |q| async move {
            MoveToWaitingChildren {
                job_id: &id,
                token: &token,
                child_key: child_key.as_deref(),
                now: now_ms(),
            }
            .run(&q)
            .await
        })
    }

    /// Takes a pending child out of its parent's dependencies. Request:
    /// resolves true when it did, false when it was not pending there.
    #[napi(catch_unwind)]
    pub fn remove_child_dependency(&self, env: &Env, id: String, parent_key: String) -> u32 {
        self.ask(env, |q| async move {
            q.remove_child_dependency(&id, &parent_key).await
        })
    }

    /// Removes the children a job still waits for. Request: resolves with how
    /// many jobs were removed.
    #[napi(catch_unwind)]
    pub fn remove_unprocessed_children(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move {
            q.remove_unprocessed_children(&id).await.map(|n| n as f64)
        })
    }

    /// Removes a job, with its children when asked. Request: resolves false
    /// when a worker holds it (or, with children, one of them).
    #[napi(catch_unwind)]
    pub fn remove_job(&self, env: &Env, id: String, remove_children: bool) -> u32 {
        self.ask(
            env,
            |q| async move { q.remove_job(&id, remove_children).await },
        )
    }
}
