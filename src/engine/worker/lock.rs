//! Lock renewal, on a Rust timer: a busy (or blocked) Node event loop cannot
//! make a healthy job lose its lock.

use std::sync::Arc;
use std::time::Duration;

use super::Shared;
use crate::engine::processor::{Delivery, WorkerEvent};
use crate::engine::shutdown::ShutdownSignal;
use crate::engine::transitions::extend_locks::ExtendLocks;

/// Renews the locks of all the worker's active jobs every `lock_renew_time_ms`.
pub(super) async fn renew_locks(shared: Arc<Shared>, mut stop: ShutdownSignal) {
    let period = Duration::from_millis(shared.opts.lock_renew_time_ms.max(1));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tokio::select! {
            _ = stop.fired() => return,
            _ = tick.tick() => {}
        }
        let pairs: Vec<(String, String)> = shared.active_tokens();
        if pairs.is_empty() {
            continue;
        }
        let renew = ExtendLocks {
            lock_duration_ms: shared.opts.lock_duration_ms,
            jobs: &pairs,
        };
        match renew.run(&shared.queue).await {
            Ok(lost) => {
                shared.recovered();
                // A job finished (or settling, or being given back) between our
                // snapshot and the script is not lost.
                let lost: Vec<String> = lost.into_iter().filter(|id| shared.is_held(id)).collect();
                if !lost.is_empty() {
                    tracing::warn!(queue = %shared.queue.name(), count = lost.len(), "lock renewal failed");
                    shared.deliver(Delivery {
                        events: lost.into_iter().map(WorkerEvent::LockLost).collect(),
                        ..Default::default()
                    });
                }
            }
            // Paced by the timer; shared.failed keeps a long failure to one report.
            Err(e) => {
                shared.failed(&e);
            }
        }
    }
}
