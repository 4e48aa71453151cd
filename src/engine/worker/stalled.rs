//! The periodic stalled-job check: jobs whose worker died (their lock expired)
//! go back to wait, or fail past `maxStalledCount`.

use std::sync::Arc;
use std::time::Duration;

use super::Shared;
use crate::engine::error::Result;
use crate::engine::processor::{Delivery, WorkerEvent};
use crate::engine::queue::{Queue, now_ms};
use crate::engine::shutdown::ShutdownSignal;
use crate::engine::transitions::move_stalled_jobs_to_wait::MoveStalledJobsToWait;

/// Runs one stalled check; returns the ids moved back to wait.
pub async fn check_stalled(
    queue: &Queue,
    max_stalled_count: u64,
    stalled_interval_ms: u64,
) -> Result<Vec<String>> {
    MoveStalledJobsToWait {
        max_stalled_count,
        now: now_ms(),
        stalled_interval_ms,
    }
    .run(queue)
    .await
}

/// Runs the check at start and then every `stalled_interval_ms`.
pub(super) async fn check_periodically(shared: Arc<Shared>, mut stop: ShutdownSignal) {
    let interval = shared.opts.stalled_interval_ms;
    let mut tick = tokio::time::interval(Duration::from_millis(interval.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.fired() => return,
            _ = tick.tick() => {}
        }
        match check_stalled(&shared.queue, shared.opts.max_stalled_count, interval).await {
            Ok(ids) if !ids.is_empty() => {
                shared.recovered();
                tracing::info!(queue = %shared.queue.name(), count = ids.len(), "stalled jobs moved back to wait");
                shared.deliver(Delivery {
                    events: ids.into_iter().map(WorkerEvent::Stalled).collect(),
                    ..Default::default()
                });
                shared.wake();
            }
            Ok(_) => shared.recovered(),
            // Paced by the timer; shared.failed keeps a long failure to one report.
            Err(e) => {
                shared.failed(&e);
            }
        }
    }
}
