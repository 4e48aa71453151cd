//! `lua/add_jobs.lua`: stores new jobs and puts each in wait, prioritized or
//! delayed, deduplicating as asked; the whole batch is one atomic call.

use super::Call;
use crate::engine::error::Result;
use crate::engine::keys::QueueKeys;
use crate::engine::queue::{NewJob, Queue};
use crate::engine::scripts;

/// Jobs per `add_jobs` script call (13 ARGV each). Bigger batches are split
/// into calls of this many, sent in one MULTI/EXEC.
pub const ADD_JOBS_CHUNK: usize = 500;

/// ARGV of `add_jobs`: validated jobs, and the creation time of those without
/// `opts.timestamp`.
#[derive(Debug)]
pub struct AddJobs<'a> {
    /// The jobs; their ids come back in this order.
    pub jobs: &'a [NewJob],
    /// Creation time (ms) of jobs that do not set `opts.timestamp`.
    pub now_ms: u64,
}

impl AddJobs<'_> {
    /// KEYS, in the order the script's header lists them.
    pub fn keys(k: &QueueKeys) -> [&str; 9] {
        [
            &k.wait,
            &k.active,
            &k.prioritized,
            &k.pc,
            &k.delayed,
            &k.marker,
            &k.events,
            &k.meta,
            &k.id,
        ]
    }

    /// Adds the jobs; resolves with one id per job: the new id, or the id of the
    /// job that already has the custom id or owns the deduplication id. Any
    /// number of jobs: more than [`ADD_JOBS_CHUNK`] go as several script calls
    /// in one transaction (see [`atomic`](super::atomic)), still all at once
    /// for every other client.
    pub async fn run(&self, q: &Queue) -> Result<Vec<String>> {
        let calls: Vec<Call> = self
            .jobs
            .chunks(ADD_JOBS_CHUNK)
            .map(|chunk| self.call(q, chunk))
            .collect();
        let replies: Vec<Vec<String>> = super::atomic::invoke_atomic(calls, q).await?;
        Ok(replies.into_iter().flatten().collect())
    }

    /// The jobs as the bytes of one `EVALSHA` of `add_jobs`, for a connection
    /// the caller owns (the JS add lane); `None` when they need more than one
    /// script call (over [`ADD_JOBS_CHUNK`] jobs) or none. The script never
    /// carries `allow-oom` flags (adds grow memory), so its hash is fixed.
    pub fn packed(&self, q: &Queue) -> Option<Vec<u8>> {
        if self.jobs.is_empty() || self.jobs.len() > ADD_JOBS_CHUNK {
            return None;
        }
        let sha = scripts::ADD_JOBS.script().get_hash();
        Some(self.call(q, self.jobs).packed(sha))
    }

    /// The ids of one `add_jobs` reply for `n` jobs (as [`AddJobs::run`] decodes them).
    pub fn decode(reply: redis::Value, n: usize) -> Result<Vec<String>> {
        let ids: Vec<String> = super::parse(scripts::ADD_JOBS.name, Some(reply))?;
        if ids.len() != n {
            return Err(crate::engine::error::Error::CorruptData {
                what: format!("reply of {}", scripts::ADD_JOBS.name),
                reason: format!("{} ids for {n} jobs", ids.len()),
            });
        }
        Ok(ids)
    }

    fn call(&self, q: &Queue, jobs: &[NewJob]) -> Call {
        let k = q.keys();
        let mut call = Call::new(&scripts::ADD_JOBS, &Self::keys(k))
            .arg(k.base())
            .arg(jobs.len());
        for j in jobs {
            let o = &j.opts;
            let dedup = o.dedup.as_ref();
            call = call
                .arg(o.job_id.as_deref().unwrap_or(""))
                .arg(&j.name)
                .arg(&j.data)
                .arg(&o.stored)
                .arg(o.timestamp.unwrap_or(self.now_ms))
                .arg(o.delay)
                .arg(o.priority)
                .arg(o.lifo)
                .arg(dedup.map_or("", |d| d.id.as_str()))
                .arg(dedup.map_or(0, |d| d.ttl_ms))
                .arg(dedup.is_some_and(|d| d.extend))
                .arg(dedup.is_some_and(|d| d.replace))
                .arg(dedup.is_some_and(|d| d.keep_last_if_active));
        }
        call
    }
}
