//! Rounds: settle the encoded batch and fetch in one script call, then admit
//! what came back. Up to [`MAX_IN_FLIGHT`] calls travel at once on the
//! queue's multiplexed connection (round N+1 is sent while N's reply is on its
//! way), so Redis works while the loop parses and user code runs. Replies are
//! taken in the order the calls were sent: a job's `active` always comes
//! before its settling.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;

use redis::RedisResult;

use super::{FetchLoop, is_transient};
use crate::engine::error::Error;
use crate::engine::processor::{Settled, SettledAs, WorkerEvent};
use crate::engine::transitions::move_to_finished::{Finish, FinishedJob};
use crate::engine::worker::invoke::Round;
use crate::engine::worker::shared::Shared;
use crate::engine::worker::{admit, invoke, parse};

/// Most script calls of one worker in flight at once (one while settling job
/// by job after a failed call).
pub(super) const MAX_IN_FLIGHT: usize = 2;

/// A round on its way: the call, then what it was sent with.
pub(super) type InFlight = Pin<Box<dyn Future<Output = Done> + Send>>;

/// Jobs of failed rounds, put back in line to be settled again.
#[derive(Default)]
pub(super) struct Requeue {
    /// How many were put back at the front of the batch since the last round
    /// was sent (the next failed round's go behind them).
    count: usize,
    /// Their ids until a reply comes for them: a failed call may have been
    /// applied with only its reply lost (Redis went away), so the second
    /// settling can find the lock already released (see [`already_applied`]).
    /// The connection itself sends a call once more after a drop; a round
    /// whose connection did so meanwhile is checked the same way.
    ids: HashSet<String>,
}

/// A round's call came back.
pub(super) struct Done {
    /// The jobs it settled, in report order.
    jobs: Vec<FinishedJob>,
    /// How many jobs it asked for.
    fetch_n: usize,
    /// [`FetchLoop::epoch`] when it was sent.
    epoch: u64,
    /// It was sent in solo mode.
    solo: bool,
    /// The connection's [`resends`](crate::engine::Queue) count when it was sent.
    resends: u64,
    result: RedisResult<Round>,
}

impl FetchLoop {
    /// Whether another round may be sent now.
    pub(super) fn may_send(&self) -> bool {
        let max = if self.solo { 1 } else { MAX_IN_FLIGHT };
        self.retry_at.is_none() && self.in_flight.len() < max
    }

    /// Sends a round: settles the encoded batch (all of it, or one job in
    /// solo mode) and fetches up to `fetch_n` jobs. Its reply is taken by
    /// [`FetchLoop::finish`].
    pub(super) fn send(&mut self, fetch_n: usize) {
        let n = if self.solo {
            self.batch.finish.len().min(1)
        } else {
            self.batch.finish.len()
        };
        let jobs: Vec<FinishedJob> = self.batch.finish.drain(..n).collect();
        self.settling += jobs.len();
        self.fetching += fetch_n;
        // What is left in the batch is newer than every round in flight.
        self.requeue.count = 0;
        let shared = self.shared.clone();
        let (epoch, solo) = (self.epoch, self.solo);
        let resends = shared.queue.resends();
        self.in_flight.push_back(Box::pin(async move {
            let result = invoke::finish_and_fetch(&shared, &jobs, fetch_n).await;
            Done {
                jobs,
                fetch_n,
                epoch,
                solo,
                resends,
                result,
            }
        }));
    }

    /// Takes a round's reply: reports what it settled, admits what it fetched.
    pub(super) async fn finish(&mut self, done: Done) {
        let Done {
            jobs,
            fetch_n,
            epoch,
            solo,
            resends,
            result,
        } = done;
        self.settling -= jobs.len();
        self.fetching -= fetch_n;
        // An outcome or wake-up taken since it was sent means: look again.
        let woken = self.epoch != epoch;
        let round = match result {
            Ok(round) => round,
            Err(e) => return self.round_failed(e, jobs),
        };
        if solo {
            self.solo = false;
        }
        let shared = self.shared.clone();
        shared.recovered();
        let mut codes = round.reply.codes;
        // The connection may have sent this call twice (its first reply lost).
        let resent = shared.queue.resends() != resends;
        if resent || !self.requeue.ids.is_empty() {
            for (job, code) in jobs.iter().zip(codes.iter_mut()) {
                if (self.requeue.ids.remove(&job.id) || resent)
                    && (*code == -1 || *code == -2)
                    && already_applied(&shared, job).await
                {
                    *code = 0;
                }
            }
        }
        let mut settled = std::mem::take(&mut self.settled);
        let (done, refused_completions) = parse::settled(&shared, jobs, codes, round.now);
        settled.extend(done);
        // A completion refused for the job's children fails it next round.
        self.reported.extend(refused_completions);
        let fetched = round.reply.fetched;
        let mut events = Vec::new();
        if fetch_n > 0 {
            if !fetched.jobs.is_empty() {
                self.drained = false;
            } else if fetched.rate_limit_ttl == 0 && !self.drained {
                self.drained = true;
                events.push(WorkerEvent::Drained);
            }
            let full = fetched.jobs.len() >= fetch_n;
            shared.prefetch().fetched(full);
            self.want_fetch = full || woken;
            self.next_delayed = fetched.next_delayed_ms;
            self.limit_for(fetched.rate_limit_ttl);
        }
        let arrivals = parse::arrivals(fetched.jobs, round.now, shared.opts.name.as_deref());
        // A scheduler's next iteration is created as its current one
        // starts, before user code runs it, as BullMQ's worker does
        // (one call per iteration; ordinary jobs cost nothing here).
        for r in arrivals
            .ready
            .iter()
            .filter(|r| r.job.repeat_job_key.is_some())
        {
            if let Err(e) = shared.queue.schedule_next_iteration(&r.job).await {
                shared.report(
                    e.code(),
                    format!("Failed to add repeatable job for next iteration: {e}"),
                );
            }
        }
        // Paused or closing meanwhile: no job starts; what came back waits in
        // the buffer, which the next turn gives back.
        let stopping =
            shared.closing.load(Ordering::Acquire) || shared.paused.load(Ordering::Acquire);
        let mut pf = shared.prefetch();
        let slots = if stopping { 0 } else { self.js_slots(&pf) };
        let self_failed = admit::admit(&shared, arrivals, settled, events, slots, &mut pf);
        drop(pf);
        self.reported.extend(self_failed);
    }

    /// Waits for every round in flight and takes its reply.
    pub(super) async fn finish_all(&mut self) {
        use futures_util::StreamExt;
        while let Some(done) = self.in_flight.next().await {
            self.finish(done).await;
        }
    }

    /// A round's call failed: its jobs go back in line, ahead of what was
    /// reported since and behind those of older failed rounds.
    fn round_failed(&mut self, e: redis::RedisError, jobs: Vec<FinishedJob>) {
        let n = jobs.len();
        if n == 1 && !is_transient(&e) {
            // One job's data may be what the script chokes on.
            let job = jobs.into_iter().next().expect("one job");
            self.shared.active().remove(&job.id);
            let message = format!("could not settle job: {e}");
            let attempts = job.attempts_made.saturating_sub(1);
            self.settled.push(Settled::bare(
                job.id,
                SettledAs::Rejected(message),
                attempts,
            ));
            return;
        }
        let at = self.requeue.count.min(self.batch.finish.len());
        self.requeue.ids.extend(jobs.iter().map(|j| j.id.clone()));
        self.batch.finish.splice(at..at, jobs);
        self.requeue.count = at + n;
        match e {
            e if is_transient(&e) => self.back_off(&Error::from(e)),
            // Settle one by one to find the job the script chokes on.
            _ if n > 1 => self.solo = true,
            e => self.back_off(&Error::from(e)),
        }
    }
}

/// Whether `job`, settled again after a failed call and now refused for a
/// missing job (-1) or lock (-2), is already where the first settling put it:
/// the failed call was applied and only its reply was lost (Redis restarted
/// from its append-only file, say). Then it counts as settled, not as a lost
/// lock. A job removed on completion or failure reads as "unknown".
async fn already_applied(shared: &Shared, job: &FinishedJob) -> bool {
    let Ok(state) = shared.queue.get_state(&job.id).await else {
        return false;
    };
    let expected: &[&str] = match job.finish {
        Finish::Completed => &["completed", "unknown"],
        Finish::Failed => &["failed", "unknown"],
        Finish::RetryLater => &["delayed"],
        Finish::RetryNow => &["waiting", "prioritized"],
    };
    let applied = expected.contains(&state.as_str());
    tracing::debug!(queue = %shared.queue.name(), job_id = %job.id, state = %state, applied, "settled again after a failed call");
    applied
}
