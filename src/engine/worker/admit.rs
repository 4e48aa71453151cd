//! Admit: checked jobs become held jobs, and the round's news (settled jobs,
//! new jobs, events) goes to the processor in one delivery. Jobs beyond user
//! code's free slots wait in the prefetch buffer (held all the same).

use tokio::time::Instant;

use super::parse::{Arrivals, Broken, Ready};
use super::prefetch::Prefetch;
use super::shared::Shared;
use crate::engine::processor::{Delivery, Outcome, Settled, WorkerEvent};

/// Holds `arrivals` and delivers, with `settled` and `events`, as many jobs as
/// user code has `slots` for: buffered ones first (they are older), then new
/// ones; the rest go to `prefetch`. Returns the outcomes of the jobs the
/// worker fails itself, to settle in the next round.
pub(super) fn admit(
    shared: &Shared,
    arrivals: Arrivals,
    settled: Vec<Settled>,
    events: Vec<WorkerEvent>,
    slots: usize,
    prefetch: &mut Prefetch,
) -> Vec<(String, Outcome)> {
    let Arrivals { ready, broken } = arrivals;
    let mut delivery = Delivery {
        jobs: Vec::with_capacity(ready.len()),
        jobs_json: Vec::with_capacity(ready.len()),
        settled,
        events,
    };
    prefetch.hand_out(shared, slots, &mut delivery);
    let mut slots = slots.saturating_sub(delivery.jobs.len());
    let mut ahead = Vec::new();
    let mut self_failed = Vec::with_capacity(broken.len());
    if !ready.is_empty() || !broken.is_empty() {
        let now = Instant::now();
        let mut active = shared.active();
        for Ready {
            job,
            json,
            mut held,
        } in ready
        {
            tracing::debug!(queue = %shared.queue.name(), job_id = %job.id, "job active");
            if slots == 0 {
                active.insert(job.id.clone(), held);
                ahead.push((job, json));
                continue;
            }
            slots -= 1;
            held.started = Some(now);
            active.insert(job.id.clone(), held);
            delivery.jobs.push(job);
            delivery.jobs_json.push(json);
        }
        for Broken { id, held, error } in broken {
            active.insert(id.clone(), held);
            // backoff -1: no retry, whatever attempts remain.
            let outcome = Outcome::Failed {
                error,
                backoff_ms: Some(-1),
            };
            self_failed.push((id, outcome));
        }
    }
    prefetch.push(ahead);
    shared.deliver(delivery);
    self_failed
}
