//! One round: settle the encoded batch and fetch in one script call, then
//! admit what came back. While the call is in flight the loop keeps taking
//! outcomes, and the slots they free take prefetched jobs at once, so user
//! code runs while Redis works.

use std::sync::atomic::Ordering;

use super::{FetchLoop, is_transient};
use crate::engine::error::Error;
use crate::engine::processor::{Settled, SettledAs, WorkerEvent};
use crate::engine::transitions::move_to_finished::FinishedJob;
use crate::engine::worker::{admit, invoke, parse};

impl FetchLoop {
    /// Settles the encoded batch (all of it, or one job in solo mode) and
    /// fetches up to `fetch_n` jobs, then admits the result.
    pub(super) async fn round(&mut self, fetch_n: usize) {
        let n = if self.solo {
            self.batch.finish.len().min(1)
        } else {
            self.batch.finish.len()
        };
        let shared = self.shared.clone();
        let jobs: Vec<FinishedJob> = self.batch.finish.drain(..n).collect();
        self.settling = jobs.len();
        // An outcome or wake-up taken meanwhile means: look again.
        let mut woken = false;
        let result = {
            let call = invoke::finish_and_fetch(&shared, &jobs, fetch_n);
            tokio::pin!(call);
            loop {
                tokio::select! {
                    biased;
                    r = &mut call => break r,
                    Some(msg) = self.rx.recv() => {
                        self.take(msg);
                        woken = true;
                        let stopping = shared.closing.load(Ordering::Acquire)
                            || shared.paused.load(Ordering::Acquire);
                        self.encode_and_hand_out(stopping);
                    }
                }
            }
        };
        self.settling = 0;
        let round = match result {
            Ok(round) => round,
            Err(e) => {
                // Back in line, ahead of what was reported meanwhile.
                self.batch.finish.splice(0..0, jobs);
                return self.round_failed(e, n);
            }
        };
        self.solo = false;
        shared.recovered();
        let mut settled = std::mem::take(&mut self.settled);
        let (done, refused_completions) =
            parse::settled(&shared, jobs, round.reply.codes, round.now);
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
            self.prefetch.fetched(full);
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
        let slots = if stopping { 0 } else { self.js_slots() };
        let self_failed = admit::admit(
            &shared,
            arrivals,
            settled,
            events,
            slots,
            &mut self.prefetch,
        );
        self.reported.extend(self_failed);
    }

    /// A round's call failed; its `n` jobs are back at the front of the batch.
    fn round_failed(&mut self, e: redis::RedisError, n: usize) {
        match e {
            e if is_transient(&e) => self.back_off(&Error::from(e)),
            // One job's data may be what the script chokes on: settle one by one.
            _ if n > 1 => self.solo = true,
            e if n == 1 => {
                let job = self.batch.finish.remove(0);
                self.shared.active().remove(&job.id);
                let message = format!("could not settle job: {e}");
                let attempts = job.attempts_made.saturating_sub(1);
                self.settled.push(Settled::bare(
                    job.id,
                    SettledAs::Rejected(message),
                    attempts,
                ));
            }
            e => self.back_off(&Error::from(e)),
        }
    }
}
