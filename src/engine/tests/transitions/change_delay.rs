//! `change_delay`: a delayed job's new due time, score, marker and event.

use serde_json::json;

use super::{add, clear_events};
use crate::engine::Error;
use crate::engine::tests::support::{cmd, event_lines, fresh_queue, job_hash, zset};
use crate::engine::transitions::change_delay::ChangeDelay;

const NOW: u64 = 1_795_385_077_718;

/// The job is re-scored for now + delay, its `delay` field updated, the marker
/// moved to the earliest due time, and `delayed` emitted.
#[tokio::test]
async fn reschedules_a_delayed_job() {
    let q = fresh_queue("tr-change-delay");
    let k = q.keys().clone();
    let id = add(&q, json!({"delay": 9_000_000})).await;
    clear_events(&q).await;
    ChangeDelay {
        job_id: &id,
        delay_ms: 2000,
        now_ms: NOW,
    }
    .run(&q)
    .await
    .unwrap();
    let due = NOW + 2000;
    assert_eq!(
        zset(&q, &k.delayed).await,
        [(id.clone(), (due * 4096).to_string())]
    );
    assert!(
        job_hash(&q, &id)
            .await
            .contains(&("delay".into(), "2000".into()))
    );
    let marker: Option<f64> = cmd(&q, redis::cmd("ZSCORE").arg(&k.marker).arg("1")).await;
    assert_eq!(marker, Some(due as f64));
    assert_eq!(
        event_lines(&q).await,
        [format!("delayed jobId={id} delay={due}")]
    );
}

/// A waiting job is `NotInState` delayed; a missing one `JobNotFound`.
#[tokio::test]
async fn refusals() {
    let q = fresh_queue("tr-change-delay-refused");
    let id = add(&q, json!({})).await;
    let change = |job_id| ChangeDelay {
        job_id,
        delay_ms: 1,
        now_ms: NOW,
    };
    let r = change(&id).run(&q).await;
    assert!(
        matches!(
            r,
            Err(Error::NotInState {
                expected: "delayed",
                ..
            })
        ),
        "{r:?}"
    );
    let r = change("nope").run(&q).await;
    assert!(matches!(r, Err(Error::JobNotFound { .. })), "{r:?}");
}
