//! `NativeWorker`: the engine's Worker for JS.

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::channel::{Channel, NativeChannel};
use super::error::{Code, coded};
use super::options::{self, QueueHandleOptions, WorkerHandleOptions};
use super::processor::{JsProcessor, outcome};
use super::queue::{NativeQueue, SettledJob};
use crate::engine::{Completions, Queue, Worker};

/// A worker. Wrapped by `Worker` in index.js, which runs the user's processor.
#[napi]
pub struct NativeWorker {
    inner: Arc<Worker>,
    completions: Completions,
    channel: Channel,
    sink_id: u32,
}

#[napi]
impl NativeWorker {
    /// `opts`: BullMQ worker options (no functions). Each batch arrives as
    /// JSON text on `channel` under `sinkId`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: &Env,
        name: String,
        queue: QueueHandleOptions,
        opts: WorkerHandleOptions,
        channel: &NativeChannel,
    ) -> Result<Self, Code> {
        let (conn, qopts) = options::queue(&queue).map_err(|e| coded(&e))?;
        let wopts = options::worker(&opts).map_err(|e| coded(&e))?;
        let channel = channel.channel.clone();
        let sink = channel.sink(env);
        let sink_id = sink.id();
        let processor = Arc::new(JsProcessor { sink });
        let worker = napi::bindgen_prelude::within_runtime_if_available(|| {
            let q = Queue::new(&name, &conn, qopts)?;
            Worker::new(q, wopts, processor)
        })
        .map_err(|e| coded(&e))?;
        let completions = worker.completions();
        Ok(NativeWorker {
            inner: Arc::new(worker),
            completions,
            channel,
            sink_id,
        })
    }

    /// The id this worker's batches arrive under on the channel.
    #[napi(getter, catch_unwind)]
    pub fn sink_id(&self) -> u32 {
        self.sink_id
    }

    /// Starts fetching jobs.
    #[napi(catch_unwind)]
    pub fn run(&self) -> Result<(), Code> {
        let w = self.inner.clone();
        napi::bindgen_prelude::within_runtime_if_available(move || w.run()).map_err(|e| coded(&e))
    }

    /// Reports a job's outcome: `ok` with the result JSON, or the error JSON.
    /// Returns false when the worker is gone.
    #[napi(catch_unwind)]
    pub fn complete(&self, job_id: String, ok: bool, payload: String) -> bool {
        self.completions.complete(job_id, outcome(ok, payload))
    }

    /// Reports several outcomes in one call: `oks` holds '1' (completed, payload
    /// = result JSON) or '0' (failed, payload = error JSON) per job. Returns
    /// the jobs to run next in the slots these free, taken from the prefetch
    /// buffer (a JSON array of job objects), or null when there are none.
    #[napi(catch_unwind)]
    pub fn complete_many(
        &self,
        job_ids: Vec<String>,
        oks: String,
        payloads: Vec<String>,
    ) -> Option<String> {
        let outcomes = job_ids
            .into_iter()
            .zip(oks.bytes())
            .zip(payloads)
            .map(|((id, ok), payload)| (id, outcome(ok == b'1', payload)))
            .collect();
        let claimed = self.inner.complete_and_claim(outcomes)?;
        if claimed.is_empty() {
            return None;
        }
        let mut s = String::with_capacity(2 + claimed.iter().map(|j| j.len() + 1).sum::<usize>());
        s.push('[');
        for (i, j) in claimed.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(j);
        }
        s.push(']');
        Some(s)
    }

    /// Stops taking jobs (local to this worker).
    #[napi(catch_unwind)]
    pub fn pause(&self) {
        self.inner.pause();
    }

    /// Takes jobs again.
    #[napi(catch_unwind)]
    pub fn resume(&self) {
        self.inner.resume();
    }

    /// Whether paused locally.
    #[napi(catch_unwind)]
    pub fn is_paused(&self) -> bool {
        self.inner.is_paused()
    }

    /// Whether running.
    #[napi(catch_unwind)]
    pub fn is_running(&self) -> bool {
        self.inner.is_running()
    }

    /// Changes how many jobs run at once (BullMQ's `worker.concurrency = n`).
    #[napi(catch_unwind)]
    pub fn set_concurrency(&self, concurrency: u32) -> Result<(), Code> {
        self.inner
            .set_concurrency(concurrency as usize)
            .map_err(|e| coded(&e))
    }

    /// BullMQ's `getNextJob(token, { block })`: the next job, locked with
    /// `token`. Request: resolves with the job as JSON text, or null.
    #[napi(catch_unwind)]
    pub fn get_next_job(&self, env: &Env, token: String, block: bool) -> u32 {
        let w = self.inner.clone();
        self.channel.request(env, async move {
            Ok(w.get_next_job(&token, block).await?.map(|t| t.json))
        })
    }

    /// Settles job `id` held with `token` with this worker's options (see
    /// `NativeQueue.settleJob`). Request: resolves with a `SettledJob`.
    #[napi(catch_unwind)]
    pub fn settle_job(
        &self,
        env: &Env,
        id: String,
        token: String,
        ok: bool,
        payload: String,
        fetch_next: bool,
    ) -> u32 {
        let w = self.inner.clone();
        self.channel.request(env, async move {
            let m = w
                .settle_job(&id, &token, outcome(ok, payload), fetch_next)
                .await?;
            Ok(SettledJob::from_engine(m))
        })
    }

    /// Runs the periodic stalled check for a worker processed by hand (BullMQ's
    /// `startStalledCheckTimer`), until close.
    #[napi(catch_unwind)]
    pub fn start_stalled_check_timer(&self) -> Result<(), Code> {
        let w = self.inner.clone();
        napi::bindgen_prelude::within_runtime_if_available(move || w.start_stalled_check_timer())
            .map_err(|e| coded(&e))
    }

    /// Jobs in hand.
    #[napi(catch_unwind)]
    pub fn active_count(&self) -> u32 {
        self.inner.active_count() as u32
    }

    /// A queue handle sharing this worker's connection (for job methods).
    #[napi(catch_unwind)]
    pub fn queue(&self) -> NativeQueue {
        NativeQueue {
            inner: self.inner.queue().clone(),
            channel: self.channel.clone(),
            lane: Default::default(),
        }
    }

    /// Graceful close (waits for jobs in hand unless `force`); ends the sink
    /// after the last batch. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn close(&self, env: &Env, force: bool) -> u32 {
        let w = self.inner.clone();
        self.channel.request(env, async move {
            w.close(force).await;
            w.queue().close();
            Ok(())
        })
    }
}
