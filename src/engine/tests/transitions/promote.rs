//! `promote`: one delayed job to wait or prioritized now.

use serde_json::json;

use super::{add, clear_events};
use crate::engine::Error;
use crate::engine::tests::support::{event_lines, exists, fresh_queue, job_hash, list, zset};
use crate::engine::transitions::promote::Promote;

/// The job leaves delayed for wait with delay 0, wakes workers, and the event
/// says it came from delayed; a prioritized one goes to prioritized.
#[tokio::test]
async fn promotes_to_its_line() {
    let q = fresh_queue("tr-promote");
    let k = q.keys().clone();
    let plain = add(&q, json!({"delay": 60000})).await;
    let urgent = add(&q, json!({"delay": 60000, "priority": 4})).await;
    clear_events(&q).await;
    Promote { job_id: &plain }.run(&q).await.unwrap();
    Promote { job_id: &urgent }.run(&q).await.unwrap();
    assert!(!exists(&q, &k.delayed).await);
    assert_eq!(list(&q, &k.wait).await, [plain.as_str()]);
    assert_eq!(zset(&q, &k.prioritized).await[0].0, urgent);
    assert!(
        job_hash(&q, &plain)
            .await
            .contains(&("delay".into(), "0".into()))
    );
    assert!(
        zset(&q, &k.marker)
            .await
            .contains(&("0".into(), "0".into()))
    );
    assert_eq!(
        event_lines(&q).await,
        [
            format!("waiting jobId={plain} prev=delayed"),
            format!("waiting jobId={urgent} prev=delayed"),
        ]
    );
}

/// A job that is not delayed is refused (`NotInState` delayed) and stays.
#[tokio::test]
async fn a_waiting_job_is_refused() {
    let q = fresh_queue("tr-promote-refused");
    let id = add(&q, json!({})).await;
    let r = Promote { job_id: &id }.run(&q).await;
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
    assert_eq!(list(&q, &q.keys().wait).await, [id]);
}
