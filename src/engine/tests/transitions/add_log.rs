//! `add_log`: the log list, its trimming, and the missing-job code.

use serde_json::json;

use super::add;
use crate::engine::Error;
use crate::engine::tests::support::{exists, fresh_queue, list};
use crate::engine::transitions::add_log::AddLog;

/// Lines are appended in order; with keep_logs only the newest stay, and the
/// reply is how many the log keeps.
#[tokio::test]
async fn appends_and_keeps_the_newest() {
    let q = fresh_queue("tr-log");
    let id = add(&q, json!({})).await;
    let logs = q.keys().logs(&id);
    for (i, row) in ["a", "b"].into_iter().enumerate() {
        let kept = AddLog {
            job_id: &id,
            row,
            keep_logs: None,
        }
        .run(&q)
        .await
        .unwrap();
        assert_eq!(kept, i as u64 + 1);
    }
    let kept = AddLog {
        job_id: &id,
        row: "c",
        keep_logs: Some(2),
    }
    .run(&q)
    .await
    .unwrap();
    assert_eq!(kept, 2);
    assert_eq!(list(&q, &logs).await, ["b", "c"]);
}

/// A missing job is `JobNotFound`, and no log list appears for it.
#[tokio::test]
async fn missing_job_gets_no_log() {
    let q = fresh_queue("tr-log-missing");
    let r = AddLog {
        job_id: "9",
        row: "x",
        keep_logs: None,
    }
    .run(&q)
    .await;
    assert!(matches!(r, Err(Error::JobNotFound { .. })), "{r:?}");
    assert!(!exists(&q, &q.keys().logs("9")).await);
}
