//! Job schedulers on `NativeQueue`: repeat options and the template cross as
//! JSON text; schedulers and jobs come back as JSON text.

use napi::Env;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::NativeQueue;
use crate::binding::options;
use crate::engine::{self, scheduler::JobTemplate, scheduler::RepeatOptions};

/// `{ name?, data?, opts? }` → the engine's template.
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
    /// Creates or updates a job scheduler. Request: resolves with its next
    /// iteration as JSON text, or null when the schedule has already ended.
    #[napi(catch_unwind)]
    pub fn upsert_job_scheduler(
        &self,
        env: &Env,
        id: String,
        repeat_json: String,
        template_json: String,
    ) -> u32 {
        self.ask(env, |q| async move {
            let repeat = RepeatOptions::from_json(
                &options::parse(&repeat_json, "repeatOpts")?,
                "repeatOpts",
            )?;
            match q
                .upsert_job_scheduler(&id, repeat, template(&template_json)?)
                .await?
            {
                Some(job) => Ok(Some(job.to_json()?)),
                None => Ok(None),
            }
        })
    }

    /// Request: resolves with the scheduler as JSON text, or null.
    #[napi(catch_unwind)]
    pub fn get_job_scheduler(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move {
            match q.get_job_scheduler(&id).await? {
                Some(s) => Ok(Some(s.to_json()?)),
                None => Ok(None),
            }
        })
    }

    /// Request: resolves with the schedulers `start..=end` by next run, as a JSON array.
    #[napi(catch_unwind)]
    pub fn get_job_schedulers(&self, env: &Env, start: i64, end: i64, asc: bool) -> u32 {
        self.ask(env, |q| async move {
            let items = q
                .get_job_schedulers(start, end, asc)
                .await?
                .iter()
                .map(|s| s.to_json())
                .collect::<engine::Result<Vec<_>>>()?;
            Ok(format!("[{}]", items.join(",")))
        })
    }

    /// Request: resolves with the number of schedulers.
    #[napi(catch_unwind)]
    pub fn get_job_schedulers_count(&self, env: &Env) -> u32 {
        self.ask(env, |q| async move {
            Ok(q.get_job_schedulers_count().await? as f64)
        })
    }

    /// Removes a scheduler and its delayed iteration. Request: resolves with whether it existed.
    #[napi(catch_unwind)]
    pub fn remove_job_scheduler(&self, env: &Env, id: String) -> u32 {
        self.ask(env, |q| async move { q.remove_job_scheduler(&id).await })
    }
}
