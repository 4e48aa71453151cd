//! Adding jobs: size checks, then one `add_jobs` call for the whole batch.

use super::{Queue, now_ms};
use crate::engine::error::{Error, Result};
use crate::engine::options::JobOptions;
use crate::engine::scripts;
use crate::engine::transitions::add_jobs::AddJobs;

/// A job to add: its name, `data` as JSON text, and validated options.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Job name.
    pub name: String,
    /// `data` as JSON text.
    pub data: String,
    /// Validated options.
    pub opts: JobOptions,
}

impl Queue {
    /// The checks a job passes before any add sends it (pure): the queue's
    /// `max_data_bytes` and the job's own `opts.sizeLimit`; `field` names the
    /// job's data in the error (`data`, or `jobs[i].data` in a batch).
    pub fn check_new_job(&self, j: &NewJob, field: String) -> Result<()> {
        let max = self.inner.opts.max_data_bytes;
        if max > 0 && j.data.len() > max {
            return Err(Error::invalid(
                field,
                format!("is {} bytes, over the limit of {max} bytes", j.data.len()),
            ));
        }
        // The job's own opts.sizeLimit, checked as BullMQ does (UTF-8 bytes of the JSON).
        if let Some(limit) = j.opts.size_limit
            && j.data.len() as u64 > limit
        {
            return Err(Error::refused(
                field,
                format!("The size of job {} exceeds the limit {limit} bytes", j.name),
            ));
        }
        Ok(())
    }

    /// Adds one job; resolves with its id (the existing id for a duplicate custom
    /// id or a deduplicated add).
    pub async fn add(&self, job: NewJob) -> Result<String> {
        let mut ids = self.add_bulk(vec![job]).await?;
        ids.pop().ok_or(Error::Script {
            name: scripts::ADD_JOBS.name,
            code: 0,
        })
    }

    /// Adds many jobs in one atomic script call; ids in input order.
    pub async fn add_bulk(&self, jobs: Vec<NewJob>) -> Result<Vec<String>> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        for (i, j) in jobs.iter().enumerate() {
            let field = if jobs.len() > 1 {
                format!("jobs[{i}].data")
            } else {
                "data".into()
            };
            self.check_new_job(j, field)?;
        }
        self.ensure_meta().await?;
        if jobs.iter().any(|j| j.opts.parent.is_some()) {
            // Flow children (`opts.parent`): see flow/mod.rs.
            return self.add_with_parents(jobs, now_ms()).await;
        }
        let ids = AddJobs {
            jobs: &jobs,
            now_ms: now_ms(),
        }
        .run(self)
        .await?;
        tracing::debug!(queue = %self.inner.name, count = ids.len(), first_id = ?ids.first(), "jobs added");
        Ok(ids)
    }
}
