//! `move_to_delayed`: an active job parked until a time; lock checks.

use serde_json::json;

use super::{add, clear_events};
use crate::engine::Error;
use crate::engine::tests::support::{cmd, event_lines, exists, fresh_queue, job_hash, list, zset};
use crate::engine::transitions::move_to_delayed::MoveToDelayed;

const NOW: u64 = 1_795_385_077_718;

/// Makes job `id` active with lock `token`, as a worker's fetch would.
async fn activate(q: &crate::engine::Queue, id: &str, token: &str) {
    let k = q.keys();
    let _: u64 = cmd(q, redis::cmd("LREM").arg(&k.wait).arg(0).arg(id)).await;
    let _: u64 = cmd(q, redis::cmd("LPUSH").arg(&k.active).arg(id)).await;
    let _: () = cmd(q, redis::cmd("SET").arg(k.lock(id)).arg(token)).await;
}

/// The job leaves active for delayed at its due time, its lock is released,
/// the marker carries the due time, and `delayed` is emitted.
#[tokio::test]
async fn parks_an_active_job() {
    let q = fresh_queue("tr-to-delayed");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    activate(&q, &id, "tok").await;
    clear_events(&q).await;
    let due = NOW + 5000;
    MoveToDelayed {
        job_id: &id,
        token: "tok",
        due_ms: due,
        now_ms: NOW,
    }
    .run(&q)
    .await
    .unwrap();
    assert!(list(&q, &k.active).await.is_empty());
    assert!(!exists(&q, &k.lock(&id)).await);
    assert_eq!(
        zset(&q, &k.delayed).await,
        [(id.clone(), (due * 4096).to_string())]
    );
    assert!(
        job_hash(&q, &id)
            .await
            .contains(&("delay".into(), "5000".into()))
    );
    let marker: Option<f64> = cmd(&q, redis::cmd("ZSCORE").arg(&k.marker).arg("1")).await;
    assert_eq!(marker, Some(due as f64));
    assert_eq!(
        event_lines(&q).await,
        [format!("delayed jobId={id} delay={due}")]
    );
}

/// Another worker's token, a missing lock and a missing job are refused; the
/// job stays active.
#[tokio::test]
async fn lock_and_job_checks() {
    let q = fresh_queue("tr-to-delayed-refused");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    activate(&q, &id, "tok").await;
    let park = |job_id, token| MoveToDelayed {
        job_id,
        token,
        due_ms: NOW,
        now_ms: NOW,
    };
    let r = park(&id, "other").run(&q).await;
    assert!(
        matches!(
            r,
            Err(Error::LockMismatch {
                reason: "held by another worker",
                ..
            })
        ),
        "{r:?}"
    );
    let _: u64 = cmd(&q, redis::cmd("DEL").arg(k.lock(&id))).await;
    let r = park(&id, "tok").run(&q).await;
    assert!(
        matches!(
            r,
            Err(Error::LockMismatch {
                reason: "missing",
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(list(&q, &k.active).await, [id.as_str()]);
    let r = park("nope", "tok").run(&q).await;
    assert!(matches!(r, Err(Error::JobNotFound { .. })), "{r:?}");
}

/// An unlocked job (token "0") that is not active is `NotInState` active.
#[tokio::test]
async fn a_job_not_active_is_refused() {
    let q = fresh_queue("tr-to-delayed-state");
    let id = add(&q, json!({})).await;
    let r = MoveToDelayed {
        job_id: &id,
        token: "0",
        due_ms: NOW,
        now_ms: NOW,
    }
    .run(&q)
    .await;
    assert!(
        matches!(
            r,
            Err(Error::NotInState {
                expected: "active",
                ..
            })
        ),
        "{r:?}"
    );
    assert!(!exists(&q, &q.keys().delayed).await);
}
