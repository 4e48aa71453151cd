//! `NativeQueue`: the engine's Queue for JS. Data and results cross as JSON
//! text; counts, logs, metrics and other structured values as typed objects.
//!
//! Every async method is a request on the channel (`super::channel`): it
//! returns a request id at once, and JS gets the answer, in order, through the
//! channel. The doc comment of each says what the request resolves with.
//! - `add.rs`: adding jobs (one, a bulk, and the adds JS gathered in one tick)
//! - `lane.rs`: the add lane (sync: adds JS sends on its own socket)
//! - `jobs.rs`: methods on one job (state, progress, logs, moves, changes)
//! - `control.rs`: queue-wide reads and controls (counts, pause, clean, limits, metrics)
//! - `upkeep.rs`: the rest of BullMQ's Queue/Job API (meta, orphans, one lock,
//!   custom events, manual processing)

mod add;
mod control;
mod flow;
mod jobs;
mod lane;
mod scheduler;
mod upkeep;

pub use upkeep::SettledJob;

use std::future::Future;

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::channel::{Channel, NativeChannel};
use super::error::{Code, coded, invalid};
use super::options::{self, QueueHandleOptions};
use crate::engine::{self, Queue};

/// A queue handle (producer and reader). Wrapped by `Queue` in JS.
#[napi]
pub struct NativeQueue {
    pub(crate) inner: Queue,
    pub(crate) channel: Channel,
    /// The add lane's reply reader and unanswered batch sizes (`lane.rs`).
    pub(crate) lane: lane::LaneSlot,
}

#[napi]
impl NativeQueue {
    /// Answers to this handle's requests go through `channel`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        name: String,
        opts: QueueHandleOptions,
        channel: &NativeChannel,
    ) -> Result<Self, Code> {
        let (conn, qopts) = options::queue(&opts).map_err(|e| coded(&e))?;
        let q =
            napi::bindgen_prelude::within_runtime_if_available(|| Queue::new(&name, &conn, qopts))
                .map_err(|e| coded(&e))?;
        Ok(NativeQueue {
            inner: q,
            channel: channel.channel.clone(),
            lane: Default::default(),
        })
    }

    /// The queue name.
    #[napi(getter, catch_unwind)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The key prefix.
    #[napi(getter, catch_unwind)]
    pub fn prefix(&self) -> String {
        self.inner.prefix().to_string()
    }

    /// Marks the handle closed. Idempotent.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.inner.close();
    }
}

impl NativeQueue {
    /// Starts `work` on a clone of the queue handle; returns the request id.
    fn ask<T, W, F>(&self, env: &Env, work: W) -> u32
    where
        T: ToNapiValue + Send + 'static,
        W: FnOnce(Queue) -> F,
        F: Future<Output = engine::Result<T>> + Send + 'static,
    {
        self.channel.request(env, work(self.inner.clone()))
    }
}

/// A JS number that must be a whole number >= 0; `field` names it in the error.
fn non_neg(v: f64, field: &str) -> engine::Result<u64> {
    engine::options::numbers::whole_number(v, field)
}

/// Checks a custom job id (BullMQ's rules); throws a coded error.
#[napi(catch_unwind)]
pub fn validate_job_id(id: String) -> Result<(), Code> {
    engine::options::validate_job_id(&id).map_err(|e| coded(&e))
}

/// Checks a queue name; throws a coded error.
#[napi(catch_unwind)]
pub fn validate_queue_name(name: String) -> Result<(), Code> {
    if name.len() > 10_000 {
        return Err(invalid("name", "is too long"));
    }
    engine::queue::validate_queue_name(&name).map_err(|e| coded(&e))
}
