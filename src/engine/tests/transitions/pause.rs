//! `pause`: meta `paused`, the marker, the events, and resume's v5 migration.

use serde_json::json;

use super::{add, clear_events};
use crate::engine::tests::support::{cmd, event_lines, exists, fresh_queue, list, zset};
use crate::engine::transitions::pause::Pause;

/// Pause sets meta `paused` and removes the marker; resume clears the flag
/// and sets the marker again because jobs are waiting. Jobs stay in wait.
#[tokio::test]
async fn pause_then_resume() {
    let q = fresh_queue("tr-pause");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    clear_events(&q).await;
    Pause::Pause.run(&q).await.unwrap();
    let paused: Option<String> = cmd(&q, redis::cmd("HGET").arg(&k.meta).arg("paused")).await;
    assert_eq!(paused.as_deref(), Some("1"));
    assert!(!exists(&q, &k.marker).await);
    assert_eq!(list(&q, &k.wait).await, [id.as_str()]);
    Pause::Resume.run(&q).await.unwrap();
    let paused: Option<String> = cmd(&q, redis::cmd("HGET").arg(&k.meta).arg("paused")).await;
    assert_eq!(paused, None);
    assert_eq!(zset(&q, &k.marker).await, [("0".into(), "0".into())]);
    assert_eq!(event_lines(&q).await, ["paused", "resumed"]);
}

/// Resume moves a BullMQ v5 `paused` list behind the jobs in wait.
#[tokio::test]
async fn resume_migrates_a_v5_paused_list() {
    let q = fresh_queue("tr-pause-v5");
    let k = q.keys().clone();
    let _: u64 = cmd(&q, redis::cmd("LPUSH").arg(&k.wait).arg("w1")).await;
    let _: u64 = cmd(&q, redis::cmd("RPUSH").arg(&k.paused).arg("p1").arg("p2")).await;
    Pause::Resume.run(&q).await.unwrap();
    assert_eq!(list(&q, &k.wait).await, ["w1", "p1", "p2"]);
    assert!(!exists(&q, &k.paused).await);
}

/// With nothing ready, resume arms the marker for the earliest delayed job.
#[tokio::test]
async fn resume_with_only_delayed_jobs_sets_the_delay_marker() {
    let q = fresh_queue("tr-pause-delayed");
    let k = q.keys().clone();
    let due: u64 = 1_795_385_082_718;
    let _: u64 = cmd(
        &q,
        redis::cmd("ZADD").arg(&k.delayed).arg(due * 4096).arg("9"),
    )
    .await;
    Pause::Pause.run(&q).await.unwrap();
    Pause::Resume.run(&q).await.unwrap();
    let marker: Vec<(String, f64)> = cmd(
        &q,
        redis::cmd("ZRANGE")
            .arg(&k.marker)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES"),
    )
    .await;
    assert_eq!(marker, [("1".into(), due as f64)]);
}
