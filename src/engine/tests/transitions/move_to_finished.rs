//! `move_to_finished`: each kind of finished attempt laid out as BullMQ does,
//! a job whose lock another token holds is refused, and the next job is
//! fetched in the same call.

use serde_json::json;

use super::{add, fetch, fetch_args, field, finished};
use crate::engine::Queue;
use crate::engine::options::KeepJobs;
use crate::engine::queue::now_ms;
use crate::engine::tests::support::{cmd, event_lines, exists, fresh_queue, list, zset};
use crate::engine::transitions::ScriptCode;
use crate::engine::transitions::move_to_finished::{
    Finish, FinishReply, FinishedJob, MoveToFinished,
};

async fn settle(q: &Queue, jobs: &[FinishedJob], now: u64, fetch_n: usize) -> FinishReply {
    let mut fetch = fetch_args(now, fetch_n);
    fetch.seq = Some(100);
    let call = MoveToFinished {
        fetch,
        metrics_max_data_points: 0,
        jobs,
    };
    call.run(q).await.unwrap()
}

#[tokio::test]
async fn completed_job_lands_in_completed_and_the_next_one_is_fetched() {
    let q = fresh_queue("mtf-c");
    let k = q.keys().clone();
    add(&q, json!({})).await;
    let second = add(&q, json!({})).await;
    let held = fetch(&q, 1).await.jobs.remove(0);
    let now = now_ms();
    let done = finished(&held.id, &held.token, Finish::Completed, r#"{"ok":1}"#);
    let reply = settle(&q, &[done], now, 1).await;

    assert_eq!(reply.codes, vec![0]);
    assert_eq!(reply.fetched.jobs.len(), 1);
    assert_eq!(reply.fetched.jobs[0].id, second);
    assert_eq!(reply.fetched.jobs[0].token, "test-worker:101");
    assert_eq!(
        zset(&q, &k.completed).await,
        vec![(held.id.clone(), now.to_string())]
    );
    assert_eq!(
        field(&q, &held.id, "returnvalue").await.as_deref(),
        Some(r#"{"ok":1}"#)
    );
    assert_eq!(
        field(&q, &held.id, "finishedOn").await,
        Some(now.to_string())
    );
    assert_eq!(field(&q, &held.id, "atm").await.as_deref(), Some("1"));
    assert!(!exists(&q, &k.lock(&held.id)).await, "lock released");
    assert_eq!(list(&q, &k.active).await, vec![second]);
    let completed = format!(
        r#"completed jobId={} returnvalue={{"ok":1}} prev=active"#,
        held.id
    );
    assert!(event_lines(&q).await.contains(&completed));
}

#[tokio::test]
async fn failures_go_to_failed_delayed_or_wait_by_kind() {
    let q = fresh_queue("mtf-f");
    let k = q.keys().clone();
    for _ in 0..3 {
        add(&q, json!({"attempts": 3})).await;
    }
    let held = fetch(&q, 3).await.jobs;
    let now = now_ms();
    let failed = finished(&held[0].id, &held[0].token, Finish::Failed, "boom");
    let mut later = finished(&held[1].id, &held[1].token, Finish::RetryLater, "boom");
    later.retry_delay_ms = 5_000;
    let now_retry = finished(&held[2].id, &held[2].token, Finish::RetryNow, "boom");
    let reply = settle(&q, &[failed, later, now_retry], now, 0).await;
    assert_eq!(reply.codes, vec![0, 0, 0]);

    assert_eq!(
        zset(&q, &k.failed).await,
        vec![(held[0].id.clone(), now.to_string())]
    );
    assert_eq!(
        field(&q, &held[0].id, "failedReason").await.as_deref(),
        Some("boom")
    );
    assert_eq!(
        field(&q, &held[0].id, "finishedOn").await,
        Some(now.to_string())
    );
    let trace = field(&q, &held[0].id, "stacktrace").await.unwrap();
    assert_eq!(
        serde_json::from_str::<Vec<String>>(&trace).unwrap().len(),
        1
    );

    let delayed: Option<f64> = cmd(&q, redis::cmd("ZSCORE").arg(&k.delayed).arg(&held[1].id)).await;
    assert_eq!((delayed.unwrap() / 4096.0).floor() as u64, now + 5_000);
    assert_eq!(
        field(&q, &held[1].id, "delay").await.as_deref(),
        Some("5000")
    );
    assert_eq!(field(&q, &held[1].id, "finishedOn").await, None);

    assert_eq!(list(&q, &k.wait).await, vec![held[2].id.clone()]);
    for j in &held {
        assert_eq!(
            field(&q, &j.id, "atm").await.as_deref(),
            Some("1"),
            "{}",
            j.id
        );
    }
    assert!(list(&q, &k.active).await.is_empty());
}

#[tokio::test]
async fn keep_none_deletes_the_job_and_a_foreign_token_is_refused() {
    let q = fresh_queue("mtf-r");
    let k = q.keys().clone();
    add(&q, json!({})).await;
    add(&q, json!({})).await;
    let held = fetch(&q, 2).await.jobs;
    let mut removed = finished(&held[0].id, &held[0].token, Finish::Completed, "1");
    removed.keep = KeepJobs { count: 0, age_s: 0 };
    let foreign = finished(&held[1].id, "someone-else", Finish::Completed, "1");
    let reply = settle(&q, &[removed, foreign], now_ms(), 0).await;

    assert_eq!(reply.codes, vec![0, ScriptCode::JobLockMismatch.code()]);
    assert!(
        !exists(&q, &k.job(&held[0].id)).await,
        "removeOnComplete: true deletes the hash"
    );
    assert!(zset(&q, &k.completed).await.is_empty());
    // The refused job keeps its lock and its place in active.
    assert_eq!(list(&q, &k.active).await, vec![held[1].id.clone()]);
    let lock: Option<String> = cmd(&q, redis::cmd("GET").arg(k.lock(&held[1].id))).await;
    assert_eq!(lock.as_deref(), Some(held[1].token.as_str()));
}

/// Several jobs settle in one call with batched reads and writes (one MGET of
/// the locks, one ZADD into completed, one DEL of the locks): the result is
/// what settling them one by one gives. A job listed twice settles once (the
/// second finds its lock gone); a job retried now and fetched again in the same
/// call keeps the lock it was just given.
#[tokio::test]
async fn a_batch_settles_like_jobs_one_by_one() {
    let q = fresh_queue("mtf-batch");
    let k = q.keys().clone();
    for _ in 0..3 {
        add(&q, json!({})).await;
    }
    let held = fetch(&q, 3).await.jobs;
    let now = now_ms();
    let first = finished(&held[0].id, &held[0].token, Finish::Completed, "1");
    let again = first.clone();
    let second = finished(&held[1].id, &held[1].token, Finish::Completed, "2");
    let retried = finished(&held[2].id, &held[2].token, Finish::RetryNow, "boom");
    let reply = settle(&q, &[first, again, second, retried], now, 1).await;

    assert_eq!(
        reply.codes,
        vec![0, ScriptCode::JobLockNotExist.code(), 0, 0]
    );
    let mut completed = zset(&q, &k.completed).await;
    completed.sort();
    let mut expected = vec![
        (held[0].id.clone(), now.to_string()),
        (held[1].id.clone(), now.to_string()),
    ];
    expected.sort();
    assert_eq!(completed, expected);
    assert!(!exists(&q, &k.lock(&held[0].id)).await);
    assert!(!exists(&q, &k.lock(&held[1].id)).await);
    // The retried job was the only one ready: fetched again, with a new lock.
    assert_eq!(reply.fetched.jobs.len(), 1);
    assert_eq!(reply.fetched.jobs[0].id, held[2].id);
    let lock: Option<String> = cmd(&q, redis::cmd("GET").arg(k.lock(&held[2].id))).await;
    assert_eq!(lock.as_deref(), Some(reply.fetched.jobs[0].token.as_str()));
    assert_eq!(list(&q, &k.active).await, vec![held[2].id.clone()]);
    let stalled: Vec<String> = cmd(&q, redis::cmd("SMEMBERS").arg(&k.stalled)).await;
    assert!(stalled.is_empty());
}

/// Jobs kept without trimming are added to completed together, but before a
/// job whose removeOnComplete trims the set: the trim sees them all, as it
/// would one by one.
#[tokio::test]
async fn a_trimming_job_in_a_batch_trims_the_jobs_before_it() {
    let q = fresh_queue("mtf-trim");
    let k = q.keys().clone();
    for _ in 0..3 {
        add(&q, json!({})).await;
    }
    let held = fetch(&q, 3).await.jobs;
    let now = now_ms();
    let kept = finished(&held[0].id, &held[0].token, Finish::Completed, "1");
    let mut trimming = finished(&held[1].id, &held[1].token, Finish::Completed, "2");
    trimming.keep = KeepJobs { count: 1, age_s: 0 };
    let last = finished(&held[2].id, &held[2].token, Finish::Completed, "3");
    let reply = settle(&q, &[kept, trimming, last], now, 0).await;

    assert_eq!(reply.codes, vec![0, 0, 0]);
    // All at one score: the trim keeps the higher member of the first two,
    // then the third is added untrimmed.
    let survivor = held[0].id.clone().max(held[1].id.clone());
    let dropped = held[0].id.clone().min(held[1].id.clone());
    let mut completed: Vec<String> = zset(&q, &k.completed)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    completed.sort();
    let mut expected = vec![survivor, held[2].id.clone()];
    expected.sort();
    assert_eq!(completed, expected);
    assert!(!exists(&q, &k.job(&dropped)).await, "trimmed job deleted");
}
