//! Admit: checked jobs become held jobs, and the round's news (settled jobs,
//! new jobs, events) goes to the processor in one delivery.

use super::parse::{Arrivals, Broken, Ready};
use super::shared::Shared;
use crate::engine::processor::{Delivery, Outcome, Settled, WorkerEvent};

/// Holds `arrivals` and delivers them with `settled` and `events`. Returns the
/// outcomes of the jobs the worker fails itself, to settle in the next round.
pub(super) fn admit(
    shared: &Shared,
    arrivals: Arrivals,
    settled: Vec<Settled>,
    events: Vec<WorkerEvent>,
) -> Vec<(String, Outcome)> {
    let Arrivals { ready, broken } = arrivals;
    let mut delivery = Delivery {
        jobs: Vec::with_capacity(ready.len()),
        jobs_json: Vec::with_capacity(ready.len()),
        settled,
        events,
    };
    let mut self_failed = Vec::with_capacity(broken.len());
    if !ready.is_empty() || !broken.is_empty() {
        let mut active = shared.active();
        for Ready { job, json, held } in ready {
            tracing::debug!(queue = %shared.queue.name(), job_id = %job.id, "job active");
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
    shared.deliver(delivery);
    self_failed
}
