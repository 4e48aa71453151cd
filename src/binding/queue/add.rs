//! Adding jobs: one (`add`), a bulk (`addBulk`, all or nothing) and the adds
//! JS gathered within one tick (`addMany`: one round trip, each job settling
//! on its own).

use napi::Env;
use napi_derive::napi;

use super::super::options;
use super::NativeQueue;
use crate::engine::{self, JobOptions, NewJob, Queue};

/// `timestamp` is the creation time JS already gave the Job object, so both agree.
pub(super) fn new_job(
    name: String,
    data: String,
    opts_json: &str,
    timestamp: Option<f64>,
) -> engine::Result<NewJob> {
    let opts = options::parse(opts_json, "opts")?;
    let mut opts = JobOptions::from_json(opts)?;
    if opts.timestamp.is_none() {
        opts.timestamp = timestamp
            .filter(|t| t.is_finite() && *t > 0.0)
            .map(|t| t as u64);
    }
    Ok(NewJob { name, data, opts })
}

/// One job of an `addMany` that was not added.
#[napi(object)]
pub struct AddFailure {
    /// Its position in the request.
    pub index: u32,
    /// The stable error code (`ERR_FERROQ_*`).
    pub code: String,
    /// What went wrong, naming the bad field.
    pub message: String,
}

/// What an `addMany` request resolves with.
#[napi(object)]
pub struct AddedJobs {
    /// One id per job, in request order ("" where the job failed).
    pub ids: Vec<String>,
    /// The jobs that failed, each with its own error.
    pub failed: Vec<AddFailure>,
}

impl AddedJobs {
    pub(super) fn fail(&mut self, index: usize, e: &engine::Error) {
        self.failed.push(AddFailure {
            index: index as u32,
            code: e.code().as_str().to_string(),
            message: e.to_string(),
        });
    }
}

/// Adds `jobs` (index, job) in one script call; when the batch is refused for
/// one job's sake (an invalid option such as a size limit), adds them one by
/// one so only that job fails.
async fn add_each(q: Queue, jobs: Vec<(usize, NewJob)>, out: &mut AddedJobs) {
    if jobs.is_empty() {
        return;
    }
    let batch: Vec<NewJob> = jobs.iter().map(|(_, j)| j.clone()).collect();
    match q.add_bulk(batch).await {
        Ok(ids) => {
            for ((i, _), id) in jobs.iter().zip(ids) {
                out.ids[*i] = id;
            }
        }
        Err(e) if e.code() == engine::ErrorCode::InvalidOption && jobs.len() > 1 => {
            for (i, job) in jobs {
                match q.add(job).await {
                    Ok(id) => out.ids[i] = id,
                    Err(e) => out.fail(i, &e),
                }
            }
        }
        Err(e) => {
            for (i, _) in &jobs {
                out.fail(*i, &e);
            }
        }
    }
}

#[napi]
impl NativeQueue {
    /// Adds one job. Request: resolves with its id.
    #[napi(catch_unwind)]
    pub fn add(
        &self,
        env: &Env,
        name: String,
        data_json: String,
        opts_json: String,
        timestamp: Option<f64>,
    ) -> u32 {
        self.ask(env, |q| async move {
            q.add(new_job(name, data_json, &opts_json, timestamp)?)
                .await
        })
    }

    /// Adds the jobs JS gathered in one tick, given as parallel lists, in one
    /// round trip. Request: resolves with `AddedJobs` (each job's id or error).
    #[napi(catch_unwind)]
    pub fn add_many(
        &self,
        env: &Env,
        names: Vec<String>,
        datas: Vec<String>,
        opts_jsons: Vec<String>,
        timestamps: Vec<f64>,
    ) -> u32 {
        self.ask(env, |q| async move {
            let n = names.len();
            if datas.len() != n || opts_jsons.len() != n {
                return Err(engine::Error::invalid(
                    "jobs",
                    "names, data and opts lists differ in length",
                ));
            }
            let mut out = AddedJobs {
                ids: vec![String::new(); n],
                failed: Vec::new(),
            };
            let mut jobs = Vec::with_capacity(n);
            let rows = names.into_iter().zip(datas).zip(opts_jsons);
            for (i, ((name, data), opts)) in rows.enumerate() {
                match new_job(name, data, &opts, timestamps.get(i).copied()) {
                    Ok(j) => jobs.push((i, j)),
                    Err(e) => out.fail(i, &e),
                }
            }
            add_each(q, jobs, &mut out).await;
            Ok(out)
        })
    }

    /// Adds jobs (`[[name, dataJson, optsJson, timestamp], ...]` as JSON) in one
    /// atomic call. Request: resolves with their ids (string[]).
    #[napi(catch_unwind)]
    pub fn add_bulk(&self, env: &Env, jobs_json: String) -> u32 {
        self.ask(env, |q| async move {
            let jobs: Vec<(String, String, String, Option<f64>)> = serde_json::from_str(&jobs_json)
                .map_err(|e| {
                    engine::Error::invalid(
                        "jobs",
                        format!("must be a list of {{ name, data, opts }} ({e})"),
                    )
                })?;
            let mut out = Vec::with_capacity(jobs.len());
            for (i, (name, data, opts, ts)) in jobs.into_iter().enumerate() {
                out.push(new_job(name, data, &opts, ts).map_err(|e| match e {
                    engine::Error::InvalidOption { field, reason } => {
                        engine::Error::InvalidOption {
                            field: format!("jobs[{i}].{field}"),
                            reason,
                        }
                    }
                    other => other,
                })?);
            }
            q.add_bulk(out).await
        })
    }
}
