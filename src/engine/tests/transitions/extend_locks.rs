//! `extend_locks`: held locks renewed and cleared from the stalled set; jobs
//! whose lock is gone or held by another token are named and left alone.

use serde_json::json;

use super::{add, fetch};
use crate::engine::tests::support::{cmd, exists, fresh_queue};
use crate::engine::transitions::extend_locks::ExtendLocks;

#[tokio::test]
async fn renews_held_locks_and_reports_lost_ones() {
    let q = fresh_queue("locks");
    let k = q.keys().clone();
    for _ in 0..3 {
        add(&q, json!({})).await;
    }
    let held = fetch(&q, 3).await.jobs;
    let _: () = cmd(&q, redis::cmd("SADD").arg(&k.stalled).arg(&held[0].id)).await;
    let _: () = cmd(&q, redis::cmd("DEL").arg(k.lock(&held[2].id))).await;
    let pairs = vec![
        (held[0].id.clone(), held[0].token.clone()),
        (held[1].id.clone(), "stolen".to_string()),
        (held[2].id.clone(), held[2].token.clone()),
    ];
    let renew = ExtendLocks {
        lock_duration_ms: 120_000,
        jobs: &pairs,
    };
    let lost = renew.run(&q).await.unwrap();

    assert_eq!(lost, vec![held[1].id.clone(), held[2].id.clone()]);
    let ttl: i64 = cmd(&q, redis::cmd("PTTL").arg(k.lock(&held[0].id))).await;
    assert!(ttl > 30_000, "renewed to the new duration, ttl {ttl}");
    let suspects: Vec<String> = cmd(&q, redis::cmd("SMEMBERS").arg(&k.stalled)).await;
    assert!(suspects.is_empty(), "a renewed job is no stalled suspect");
    // A lock held by another token is left alone; a missing one is not recreated.
    let other: Option<String> = cmd(&q, redis::cmd("GET").arg(k.lock(&held[1].id))).await;
    assert_eq!(other.as_deref(), Some(held[1].token.as_str()));
    assert!(!exists(&q, &k.lock(&held[2].id)).await);
}
