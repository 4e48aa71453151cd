//! `add_jobs`: hashes, lines, scores, markers and events of one batch.

use serde_json::json;

use super::new_job;
use crate::engine::tests::support::{cmd, event_lines, exists, fresh_queue, job_hash, list, zset};
use crate::engine::transitions::add_jobs::AddJobs;

const NOW: u64 = 1_795_385_077_718;

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = p
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

/// A batch of a plain, a delayed, a prioritized and a LIFO job lands each in
/// its place with BullMQ's hash fields, scores and events, in one call.
#[tokio::test]
async fn a_batch_lands_each_job_in_its_place() {
    let q = fresh_queue("tr-add");
    let k = q.keys().clone();
    let jobs = [
        new_job("plain", 1, json!({})),
        new_job("later", 2, json!({"delay": 1000})),
        new_job("urgent", 3, json!({"priority": 2})),
        new_job("front", 4, json!({"lifo": true})),
    ];
    let ids = AddJobs {
        jobs: &jobs,
        now_ms: NOW,
    }
    .run(&q)
    .await
    .unwrap();
    assert_eq!(ids, ["1", "2", "3", "4"]);
    assert_eq!(
        job_hash(&q, "1").await,
        pairs(&[
            ("name", "plain"),
            ("data", r#"{"n":1}"#),
            ("opts", r#"{"attempts":0}"#),
            ("timestamp", &NOW.to_string()),
            ("delay", "0"),
            ("priority", "0"),
        ])
    );
    // Tail of wait runs next: the LIFO job, then the plain one.
    assert_eq!(list(&q, &k.wait).await, ["1", "4"]);
    let due = (NOW + 1000) * 4096;
    assert_eq!(zset(&q, &k.delayed).await, [("2".into(), due.to_string())]);
    assert_eq!(
        zset(&q, &k.prioritized).await,
        [("3".into(), (2u64 << 32 | 1).to_string())]
    );
    assert_eq!(cmd::<String>(&q, redis::cmd("GET").arg(&k.id)).await, "4");
    // Marker 0 for ready jobs, marker 1 at the delayed job's due time.
    let marker: Vec<(String, f64)> = cmd(
        &q,
        redis::cmd("ZRANGE")
            .arg(&k.marker)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES"),
    )
    .await;
    assert_eq!(
        marker,
        [("0".into(), 0.0), ("1".into(), (NOW + 1000) as f64)]
    );
    assert_eq!(
        event_lines(&q).await,
        [
            "added jobId=1 name=plain",
            "waiting jobId=1",
            "added jobId=2 name=later",
            &format!("delayed jobId=2 delay={}", NOW + 1000),
            "added jobId=3 name=urgent",
            "waiting jobId=3",
            "added jobId=4 name=front",
            "waiting jobId=4",
        ]
    );
}

/// An existing custom id and a held deduplication id answer with the owner's
/// id, store nothing new, and say why in the events stream.
#[tokio::test]
async fn duplicates_answer_with_the_owner_and_store_nothing() {
    let q = fresh_queue("tr-add-dup");
    let k = q.keys().clone();
    let first = [
        new_job("a", 1, json!({"jobId": "user-1"})),
        new_job("b", 2, json!({"deduplication": {"id": "d1", "ttl": 60000}})),
    ];
    let ids = AddJobs {
        jobs: &first,
        now_ms: NOW,
    }
    .run(&q)
    .await
    .unwrap();
    assert_eq!(ids, ["user-1", "2"]);
    assert!(
        job_hash(&q, "2")
            .await
            .contains(&("deid".into(), "d1".into()))
    );
    let ttl: i64 = cmd(&q, redis::cmd("PTTL").arg(k.dedup("d1"))).await;
    assert!(ttl > 0 && ttl <= 60_000, "dedup key expires, ttl {ttl}");
    super::clear_events(&q).await;

    let again = [
        new_job("a", 9, json!({"jobId": "user-1"})),
        new_job("b", 9, json!({"deduplication": {"id": "d1"}})),
    ];
    let ids = AddJobs {
        jobs: &again,
        now_ms: NOW,
    }
    .run(&q)
    .await
    .unwrap();
    assert_eq!(ids, ["user-1", "2"]);
    assert!(
        job_hash(&q, "user-1")
            .await
            .contains(&("data".into(), r#"{"n":1}"#.into()))
    );
    // The counter still moves on every add, as BullMQ's does; job 4 was never stored.
    assert_eq!(cmd::<String>(&q, redis::cmd("GET").arg(&k.id)).await, "4");
    assert!(!exists(&q, &k.job("4")).await);
    assert_eq!(list(&q, &k.wait).await, ["2", "user-1"]);
    assert_eq!(
        event_lines(&q).await,
        [
            "duplicated jobId=user-1",
            "deduplicated jobId=2 deduplicationId=d1 deduplicatedJobId=4",
        ]
    );
}

/// A paused queue gets its jobs in wait but no marker, so no worker wakes.
#[tokio::test]
async fn paused_queue_gets_no_marker() {
    let q = fresh_queue("tr-add-paused");
    q.pause().await.unwrap();
    let jobs = [new_job("a", 1, json!({}))];
    AddJobs {
        jobs: &jobs,
        now_ms: NOW,
    }
    .run(&q)
    .await
    .unwrap();
    assert_eq!(list(&q, &q.keys().wait).await, ["1"]);
    assert!(!exists(&q, &q.keys().marker).await);
}
