//! `move_stalled_jobs_to_wait`: active jobs become suspects; suspects that
//! lost their lock go back to wait (with a deferred failure past the limit).

use std::time::Duration;

use serde_json::json;

use super::{add, fetch, field};
use crate::engine::Queue;
use crate::engine::queue::now_ms;
use crate::engine::tests::support::{cmd, event_lines, fresh_queue, list};
use crate::engine::transitions::move_stalled_jobs_to_wait::MoveStalledJobsToWait;

async fn check(q: &Queue, max_stalled_count: u64, interval_ms: u64) -> Vec<String> {
    let check = MoveStalledJobsToWait {
        max_stalled_count,
        now: now_ms(),
        stalled_interval_ms: interval_ms,
    };
    check.run(q).await.unwrap()
}

async fn suspects(q: &Queue) -> Vec<String> {
    let mut s: Vec<String> = cmd(q, redis::cmd("SMEMBERS").arg(&q.keys().stalled)).await;
    s.sort();
    s
}

#[tokio::test]
async fn unlocked_suspects_go_back_to_wait_and_locked_ones_stay() {
    let q = fresh_queue("stalled");
    let k = q.keys().clone();
    add(&q, json!({})).await;
    add(&q, json!({})).await;
    let held = fetch(&q, 2).await.jobs;
    let (dead, alive) = (held[0].id.clone(), held[1].id.clone());
    // The first job's worker died: its lock expired.
    let _: () = cmd(&q, redis::cmd("DEL").arg(k.lock(&dead))).await;

    assert!(
        check(&q, 1, 60_000).await.is_empty(),
        "the first pass only marks suspects"
    );
    let mut both = vec![dead.clone(), alive.clone()];
    both.sort();
    assert_eq!(suspects(&q).await, both);
    assert!(
        check(&q, 1, 60_000).await.is_empty(),
        "the guard holds within the interval"
    );

    let _: () = cmd(&q, redis::cmd("DEL").arg(&k.stalled_check)).await;
    assert_eq!(check(&q, 1, 60_000).await, vec![dead.clone()]);
    assert_eq!(list(&q, &k.wait).await, vec![dead.clone()]);
    assert_eq!(list(&q, &k.active).await, vec![alive.clone()]);
    assert_eq!(field(&q, &dead, "stc").await.as_deref(), Some("1"));
    assert_eq!(field(&q, &dead, "defa").await, None);
    let events = event_lines(&q).await;
    assert_eq!(
        events[events.len() - 2..],
        [
            format!("waiting jobId={dead} prev=active"),
            format!("stalled jobId={dead}")
        ]
    );
    // What is active now is the next pass's suspect list.
    assert_eq!(suspects(&q).await, vec![alive]);
}

#[tokio::test]
async fn past_max_stalled_count_the_job_gets_a_deferred_failure() {
    let q = fresh_queue("stalled-max");
    let k = q.keys().clone();
    add(&q, json!({})).await;
    let held = fetch(&q, 1).await.jobs.remove(0);
    let _: () = cmd(&q, redis::cmd("DEL").arg(k.lock(&held.id))).await;
    check(&q, 0, 1).await;
    // Let the 1 ms guard of the first pass expire.
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(check(&q, 0, 1).await, vec![held.id.clone()]);
    assert_eq!(
        field(&q, &held.id, "defa").await.as_deref(),
        Some("job stalled more than allowable limit")
    );
}
