//! What the worker's loop, its timers and its public handle share.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::engine::error::{Error, ErrorCode};
use crate::engine::job::JobSettings;
use crate::engine::options::WorkerOptions;
use crate::engine::processor::{Completions, Control, Delivery, Processor, WorkerEvent};
use crate::engine::queue::Queue;
use crate::engine::retry::Outage;

use super::prefetch::Prefetch;

/// What the worker remembers of a job it holds.
pub(super) struct ActiveJob {
    /// The lock token.
    pub token: String,
    /// `attemptsMade` when it was fetched.
    pub attempts_made: u64,
    /// The opts the worker acts on.
    pub settings: JobSettings,
    /// `stacktrace` JSON when it was fetched.
    pub stacktrace: Option<String>,
    /// The job has a deduplication id to release when it finishes.
    pub has_dedup: bool,
    /// The job is a flow child (`parentKey`): finishing it updates its parent.
    pub has_parent: bool,
    /// Set for jobs the worker fails itself (user code never saw them): the job
    /// as JSON, for the settled report.
    pub hidden_json: Option<String>,
    /// When user code got it (`None` while it waits in the prefetch buffer).
    pub started: Option<tokio::time::Instant>,
    /// The worker has let go of it: its outcome is on its way to Redis, or it is
    /// being given back. Its lock may vanish any moment (the settling script
    /// deletes it), which is not a lost lock.
    pub released: bool,
}

pub(crate) struct Shared {
    pub(super) queue: Queue,
    pub(super) opts: WorkerOptions,
    /// Jobs processed at once: `opts.concurrency` until changed at run time.
    pub(super) concurrency: AtomicUsize,
    pub(super) processor: Mutex<Option<Arc<dyn Processor>>>,
    pub(super) control: Completions,
    pub(super) active: Mutex<HashMap<String, ActiveJob>>,
    /// Jobs fetched ahead. Lock order: `prefetch`, then `active`. Shared so
    /// that user code's thread can take buffered jobs as it reports outcomes
    /// (see [`super::Worker::complete_and_claim`]).
    pub(super) prefetch: Mutex<Prefetch>,
    pub(super) paused: AtomicBool,
    pub(super) closing: AtomicBool,
    pub(super) force: AtomicBool,
    /// Lock tokens are `<token_prefix>:<n>`, unique per worker.
    pub(super) token_prefix: String,
    /// The token counter `n`.
    pub(super) seq: AtomicU64,
    /// The current Redis failure, shared by the loop and the timers so that a
    /// long one is reported once.
    pub(super) outage: Mutex<Outage>,
}

impl Shared {
    /// Hands `d` to the processor (nothing when empty or after close).
    pub(super) fn deliver(&self, d: Delivery) {
        if d.is_empty() {
            return;
        }
        let p = self
            .processor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(p) = p {
            p.deliver(d);
        }
    }

    pub(super) fn report_error(&self, e: &Error) {
        self.report(e.code(), e.to_string());
    }

    /// An `error` event with `code` and `message` (the worker keeps running).
    pub(super) fn report(&self, code: ErrorCode, message: String) {
        tracing::warn!(queue = %self.queue.name(), %code, error = %message, "worker error");
        self.deliver(Delivery {
            events: vec![WorkerEvent::Error {
                code: code.as_str(),
                message,
            }],
            ..Default::default()
        });
    }

    /// Records a failed Redis call and reports it once per outage episode;
    /// returns the pause before the next attempt.
    pub(super) fn failed(&self, e: &Error) -> Duration {
        let (pause, report) = self
            .outage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .failed(e);
        if report {
            self.report_error(e);
        }
        pause
    }

    /// Records a successful Redis call (ends an outage episode).
    pub(super) fn recovered(&self) {
        self.outage
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .succeeded();
    }

    /// Makes the loop look again (pause, resume, close, stalled jobs back).
    pub(super) fn wake(&self) {
        let _ = self.control.0.send(Control::Wake);
    }

    /// The jobs held; poisoning is ignored (the map stays consistent per call).
    pub(super) fn active(&self) -> MutexGuard<'_, HashMap<String, ActiveJob>> {
        self.active.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The prefetch buffer; poisoning is ignored.
    pub(super) fn prefetch(&self) -> MutexGuard<'_, Prefetch> {
        self.prefetch.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn active_tokens(&self) -> Vec<(String, String)> {
        self.active()
            .iter()
            .map(|(id, j)| (id.clone(), j.token.clone()))
            .collect()
    }

    /// Held and not let go of (see [`ActiveJob::released`]): a lock missing for
    /// such a job is really lost.
    pub(super) fn is_held(&self, id: &str) -> bool {
        self.active().get(id).is_some_and(|j| !j.released)
    }

    /// Marks held jobs as let go of (see [`ActiveJob::released`]).
    pub(super) fn release<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut active = self.active();
        for id in ids {
            if let Some(j) = active.get_mut(id) {
                j.released = true;
            }
        }
    }

    pub(super) fn active_len(&self) -> usize {
        self.active().len()
    }
}
