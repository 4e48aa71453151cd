//! `remove_orphaned_jobs`: keys of job ids no state holds are deleted; jobs in
//! any state, and candidates without keys, are left alone.

use serde_json::json;

use super::{add, fetch};
use crate::engine::tests::support::{cmd, exists, fresh_queue};
use crate::engine::transitions::remove_orphaned_jobs::RemoveOrphanedJobs;

#[tokio::test]
async fn deletes_only_orphans() {
    let q = fresh_queue("tr-orphans");
    let k = q.keys().clone();
    let waiting = add(&q, json!({})).await;
    let delayed = add(&q, json!({"delay": 60_000})).await;
    let active = add(&q, json!({})).await;
    let held = fetch(&q, 1).await.jobs;
    assert_eq!(held[0].id, waiting, "the first job is fetched first");
    // An orphan: a job hash and its log, in no state.
    let _: () = cmd(
        &q,
        redis::cmd("HSET")
            .arg(k.job("orphan:a:b"))
            .arg("name")
            .arg("x"),
    )
    .await;
    let _: () = cmd(
        &q,
        redis::cmd("RPUSH").arg(k.logs("orphan:a:b")).arg("line"),
    )
    .await;
    let candidates: Vec<String> = [&waiting, &delayed, &active, "orphan:a:b", "no-keys"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let removed = RemoveOrphanedJobs {
        candidates: &candidates,
    }
    .run(&q)
    .await
    .unwrap();
    assert_eq!(removed, 1);
    assert!(!exists(&q, &k.job("orphan:a:b")).await);
    assert!(!exists(&q, &k.logs("orphan:a:b")).await);
    for id in [&waiting, &delayed, &active] {
        assert!(exists(&q, &k.job(id)).await, "job {id} kept");
    }
}

/// The queue-level sweep finds orphans by SCAN and removes them.
#[tokio::test]
async fn queue_sweep_finds_orphans() {
    let q = fresh_queue("tr-orphan-sweep");
    let k = q.keys().clone();
    let kept = add(&q, json!({})).await;
    for i in 0..5 {
        let id = format!("gone-{i}");
        let _: () = cmd(&q, redis::cmd("HSET").arg(k.job(&id)).arg("name").arg("x")).await;
    }
    assert_eq!(q.remove_orphaned_jobs(2, 0).await.unwrap(), 5);
    assert!(exists(&q, &k.job(&kept)).await);
    assert_eq!(q.remove_orphaned_jobs(1000, 0).await.unwrap(), 0);
}
