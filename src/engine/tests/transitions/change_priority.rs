//! `change_priority`: a waiting job changes line; other jobs only their field.

use serde_json::json;

use super::add;
use crate::engine::Error;
use crate::engine::tests::support::{cmd, fresh_queue, job_hash, list, zset};
use crate::engine::transitions::change_priority::ChangePriority;

fn change(job_id: &str, priority: u64, lifo: bool) -> ChangePriority<'_> {
    ChangePriority {
        job_id,
        priority,
        lifo,
    }
}

/// A job in wait moves to prioritized (behind the counter), back to wait at
/// priority 0, and with `lifo` to the front of its priority.
#[tokio::test]
async fn a_waiting_job_changes_line() {
    let q = fresh_queue("tr-change-priority");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    change(&id, 5, false).run(&q).await.unwrap();
    assert!(list(&q, &k.wait).await.is_empty());
    assert_eq!(
        zset(&q, &k.prioritized).await,
        [(id.clone(), (5u64 << 32 | 1).to_string())]
    );
    assert!(
        job_hash(&q, &id)
            .await
            .contains(&("priority".into(), "5".into()))
    );
    change(&id, 0, false).run(&q).await.unwrap();
    assert!(zset(&q, &k.prioritized).await.is_empty());
    assert_eq!(list(&q, &k.wait).await, [id.as_str()]);
    change(&id, 3, true).run(&q).await.unwrap();
    assert_eq!(
        zset(&q, &k.prioritized).await,
        [(id.clone(), (3u64 << 32).to_string())]
    );
    assert!(
        zset(&q, &k.marker)
            .await
            .contains(&("0".into(), "0".into()))
    );
}

/// An active job keeps its place; only its `priority` field changes. A
/// missing job is `JobNotFound`.
#[tokio::test]
async fn other_jobs_only_change_the_field() {
    let q = fresh_queue("tr-change-priority-active");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    let _: u64 = cmd(&q, redis::cmd("LREM").arg(&k.wait).arg(0).arg(&id)).await;
    let _: u64 = cmd(&q, redis::cmd("LPUSH").arg(&k.active).arg(&id)).await;
    change(&id, 7, false).run(&q).await.unwrap();
    assert_eq!(list(&q, &k.active).await, [id.as_str()]);
    assert!(zset(&q, &k.prioritized).await.is_empty());
    assert!(
        job_hash(&q, &id)
            .await
            .contains(&("priority".into(), "7".into()))
    );
    let r = change("nope", 1, false).run(&q).await;
    assert!(matches!(r, Err(Error::JobNotFound { .. })), "{r:?}");
}
