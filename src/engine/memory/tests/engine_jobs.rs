//! The engine's producer and control paths on `memory://`: the same
//! transitions leave the same keys as on Redis (add, delayed, priorities,
//! dedup, pause, rate-limit TTL, stalled recovery after lock expiry).

use std::time::Duration;

use serde_json::json;

use super::memory_url;
use crate::engine::{ConnectionOptions, JobOptions, NewJob, Queue, QueueOptions};

/// A queue on its own fresh `memory://` store.
pub fn memory_queue(tag: &str) -> Queue {
    let conn = ConnectionOptions {
        url: Some(memory_url(tag)),
        ..Default::default()
    };
    Queue::new("q", &conn, QueueOptions::default()).unwrap()
}

pub fn job(opts: serde_json::Value) -> NewJob {
    NewJob {
        name: "t".into(),
        data: json!({"x": 1}).to_string(),
        opts: JobOptions::from_json(opts.as_object().unwrap().clone()).unwrap(),
    }
}

pub async fn cmd<T: redis::FromRedisValue>(q: &Queue, c: &mut redis::Cmd) -> T {
    redis::from_redis_value(q.raw(c).await.unwrap()).unwrap()
}

#[tokio::test]
async fn add_writes_bullmq_keys() {
    let q = memory_queue("add");
    let k = q.keys().clone();
    assert_eq!(q.add(job(json!({}))).await.unwrap(), "1");
    assert_eq!(
        q.add(job(json!({"jobId": "custom"}))).await.unwrap(),
        "custom"
    );
    assert_eq!(
        q.add(job(json!({"jobId": "custom"}))).await.unwrap(),
        "custom",
        "duplicate id"
    );
    let wait: Vec<String> = cmd(&q, redis::cmd("LRANGE").arg(&k.wait).arg(0).arg(-1)).await;
    assert_eq!(wait, ["custom", "1"]);
    let marker: Vec<String> = cmd(
        &q,
        redis::cmd("ZRANGE")
            .arg(&k.marker)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES"),
    )
    .await;
    assert_eq!(marker, ["0", "0"]);
    let j = q.get_job("1").await.unwrap().unwrap();
    assert_eq!((j.name.as_str(), j.data.as_str()), ("t", r#"{"x":1}"#));
    let events: Vec<redis::Value> =
        cmd(&q, redis::cmd("XRANGE").arg(&k.events).arg("-").arg("+")).await;
    assert!(events.len() >= 4, "added + waiting per new job");
    assert_eq!(q.get_state("1").await.unwrap(), "waiting");
    let counts = q
        .get_job_counts(&["waiting".into(), "delayed".into()])
        .await
        .unwrap();
    assert_eq!(counts.iter().map(|c| c.1).collect::<Vec<_>>(), [2, 0]);
}

#[tokio::test]
async fn delayed_and_prioritized_jobs_use_bullmq_scores() {
    let q = memory_queue("scores");
    let k = q.keys().clone();
    let ts = 1_795_385_077_718u64;
    q.add(job(json!({"delay": 5000, "timestamp": ts})))
        .await
        .unwrap();
    let score: String = cmd(&q, redis::cmd("ZSCORE").arg(&k.delayed).arg("1")).await;
    assert_eq!(score, ((ts + 5000) * 4096).to_string());
    assert_eq!(q.get_state("1").await.unwrap(), "delayed");
    for p in [5, 1, 3] {
        q.add(job(json!({"priority": p}))).await.unwrap();
    }
    let order: Vec<String> = cmd(&q, redis::cmd("ZRANGE").arg(&k.prioritized).arg(0).arg(-1)).await;
    assert_eq!(order, ["3", "4", "2"], "lowest priority number first");
    assert_eq!(q.get_state("3").await.unwrap(), "prioritized");
}

#[tokio::test]
async fn deduplicated_adds_return_the_first_job() {
    let q = memory_queue("dedup");
    let a = q
        .add(job(json!({"deduplication": {"id": "u1"}})))
        .await
        .unwrap();
    let b = q
        .add(job(json!({"deduplication": {"id": "u1"}})))
        .await
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(
        q.get_deduplication_job_id("u1").await.unwrap().as_deref(),
        Some(a.as_str())
    );
    let c = q
        .add(job(json!({"deduplication": {"id": "u1", "ttl": 30}})))
        .await
        .unwrap();
    assert_eq!(c, a, "still deduplicated while the first job exists");
    assert_eq!(q.get_job_counts(&["waiting".into()]).await.unwrap()[0].1, 1);
}

#[tokio::test]
async fn pause_resume_and_rate_limit_ttl() {
    let q = memory_queue("pause");
    q.add(job(json!({}))).await.unwrap();
    q.pause().await.unwrap();
    assert!(q.is_paused().await.unwrap());
    assert_eq!(q.get_state("1").await.unwrap(), "waiting");
    q.resume().await.unwrap();
    assert!(!q.is_paused().await.unwrap());
    q.rate_limit(60_000).await.unwrap();
    let ttl = q.get_rate_limit_ttl(None).await.unwrap();
    assert!(ttl > 0 && ttl <= 60_000, "{ttl}");
}

#[tokio::test]
async fn an_expired_lock_lets_the_stalled_check_recover_the_job() {
    use crate::engine::worker::stalled::check_stalled;
    let q = memory_queue("stall");
    let k = q.keys().clone();
    let id = q.add(job(json!({}))).await.unwrap();
    // A "worker" took the job and holds its lock.
    let _: Option<String> = cmd(&q, redis::cmd("RPOPLPUSH").arg(&k.wait).arg(&k.active)).await;
    let _: () = cmd(&q, redis::cmd("SET").arg(k.lock(&id)).arg("tok")).await;
    assert!(
        check_stalled(&q, 1, 1).await.unwrap().is_empty(),
        "first pass marks suspects"
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(
        check_stalled(&q, 1, 1).await.unwrap().is_empty(),
        "a live lock protects the job"
    );
    // The worker dies: its lock expires, and the key leaves the store without
    // anyone reading it.
    let _: () = cmd(&q, redis::cmd("PEXPIRE").arg(k.lock(&id)).arg(20)).await;
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert_eq!(check_stalled(&q, 1, 1).await.unwrap(), vec![id.clone()]);
    assert_eq!(q.get_state(&id).await.unwrap(), "waiting");
    assert_eq!(q.get_job(&id).await.unwrap().unwrap().stalled_counter, 1);
}

#[tokio::test]
async fn one_store_name_is_one_store() {
    let url = memory_url("shared");
    let conn = |url: &str| ConnectionOptions {
        url: Some(url.to_string()),
        ..Default::default()
    };
    let a = Queue::new("q", &conn(&url), QueueOptions::default()).unwrap();
    let b = Queue::new("q", &conn(&url), QueueOptions::default()).unwrap();
    let elsewhere = memory_queue("other");
    a.add(job(json!({}))).await.unwrap();
    let waiting =
        |q: Queue| async move { q.get_job_counts(&["waiting".into()]).await.unwrap()[0].1 };
    assert_eq!(waiting(b).await, 1, "same name, same store");
    assert_eq!(waiting(elsewhere).await, 0, "another name is another world");
}
