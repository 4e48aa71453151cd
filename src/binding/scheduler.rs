//! Job schedulers on `NativeQueue`: repeat options and the template cross as
//! JSON text, schedulers and jobs come back as JSON text.

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::error::promise;
use super::options;
use super::queue::NativeQueue;
use crate::engine::{self, scheduler::JobTemplate, scheduler::RepeatOptions};

/// `{ name?, data?, opts? }` → the engine's template (`data` is JSON text in `dataJson`).
fn template(template_json: &str) -> engine::Result<JobTemplate> {
    let t = options::parse(template_json, "jobTemplate")?;
    let name = match t.get("name") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(engine::Error::invalid(
                "jobTemplate.name",
                "must be a string",
            ));
        }
    };
    let data = match t.get("data") {
        None | Some(Value::Null) => "{}".to_string(),
        Some(d) => d.to_string(),
    };
    let opts = match t.get("opts") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => {
            return Err(engine::Error::invalid(
                "jobTemplate.opts",
                "must be an object",
            ));
        }
    };
    Ok(JobTemplate { name, data, opts })
}

#[napi]
impl NativeQueue {
    /// Creates or updates a job scheduler; resolves with its next iteration as
    /// JSON text, or null when the schedule has already ended.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn upsert_job_scheduler<'e>(
        &self,
        env: &'e Env,
        id: String,
        repeat_json: String,
        template_json: String,
    ) -> Result<PromiseRaw<'e, Option<String>>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let repeat = RepeatOptions::from_json(
                    &options::parse(&repeat_json, "repeatOpts")?,
                    "repeatOpts",
                )?;
                let template = template(&template_json)?;
                match q.upsert_job_scheduler(&id, repeat, template).await? {
                    Some(job) => Ok(Some(job.to_json()?)),
                    None => Ok(None),
                }
            },
            |j| j,
        )
    }

    /// Resolves with the scheduler as JSON text, or null.
    #[napi(catch_unwind, ts_return_type = "Promise<string | null>")]
    pub fn get_job_scheduler<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, Option<String>>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                match q.get_job_scheduler(&id).await? {
                    Some(s) => Ok(Some(s.to_json()?)),
                    None => Ok(None),
                }
            },
            |s| s,
        )
    }

    /// Resolves with the schedulers `start..=end` by next run as a JSON array.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn get_job_schedulers<'e>(
        &self,
        env: &'e Env,
        start: i64,
        end: i64,
        asc: bool,
    ) -> Result<PromiseRaw<'e, String>> {
        let q = self.inner.clone();
        promise(
            env,
            async move {
                let list = q.get_job_schedulers(start, end, asc).await?;
                let items = list
                    .iter()
                    .map(|s| s.to_json())
                    .collect::<engine::Result<Vec<_>>>()?;
                Ok(format!("[{}]", items.join(",")))
            },
            |s| s,
        )
    }

    /// Resolves with the number of schedulers.
    #[napi(catch_unwind, ts_return_type = "Promise<number>")]
    pub fn get_job_schedulers_count<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, u32>> {
        let q = self.inner.clone();
        promise(
            env,
            async move { q.get_job_schedulers_count().await },
            |n| n.min(u64::from(u32::MAX)) as u32,
        )
    }

    /// Removes a scheduler and its delayed iteration; resolves with whether it existed.
    #[napi(catch_unwind, ts_return_type = "Promise<boolean>")]
    pub fn remove_job_scheduler<'e>(
        &self,
        env: &'e Env,
        id: String,
    ) -> Result<PromiseRaw<'e, bool>> {
        let q = self.inner.clone();
        promise(env, async move { q.remove_job_scheduler(&id).await }, |b| b)
    }
}
