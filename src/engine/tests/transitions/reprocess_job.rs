//! `reprocess_job`: a finished job goes back in line with its outcome cleared.

use serde_json::json;

use super::{add, clear_events, finish_by_hand};
use crate::engine::Error;
use crate::engine::job::FinishedState;
use crate::engine::tests::support::{event_lines, exists, fresh_queue, job_hash, list, zset};
use crate::engine::transitions::reprocess_job::ReprocessJob;

fn fields(h: &[(String, String)]) -> Vec<&str> {
    h.iter().map(|(k, _)| k.as_str()).collect()
}

/// A failed job leaves failed for wait, loses its outcome, finish times and
/// (when asked) its attempt count, and wakes workers.
#[tokio::test]
async fn a_failed_job_goes_back_to_wait() {
    let q = fresh_queue("tr-reprocess");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    finish_by_hand(&q, &id, FinishedState::Failed, 100).await;
    clear_events(&q).await;
    ReprocessJob {
        job_id: &id,
        from: FinishedState::Failed,
        lifo: false,
        reset_attempts_made: true,
        reset_attempts_started: false,
    }
    .run(&q)
    .await
    .unwrap();
    assert!(zset(&q, &k.failed).await.is_empty());
    assert_eq!(list(&q, &k.wait).await, [id.as_str()]);
    let h = job_hash(&q, &id).await;
    for gone in ["failedReason", "finishedOn", "processedOn", "atm"] {
        assert!(!fields(&h).contains(&gone), "{gone} cleared: {h:?}");
    }
    assert!(fields(&h).contains(&"ats"), "ats kept unless asked");
    assert!(exists(&q, &k.marker).await);
    assert_eq!(
        event_lines(&q).await,
        [format!("waiting jobId={id} prev=failed")]
    );
}

/// A completed job with a priority goes to prioritized; LIFO puts a plain one
/// at the tail of wait (next to run).
#[tokio::test]
async fn priority_and_lifo_choose_the_place_in_line() {
    let q = fresh_queue("tr-reprocess-place");
    let k = q.keys().clone();
    let first = add(&q, json!({})).await;
    let urgent = add(&q, json!({"priority": 3})).await;
    let lifo = add(&q, json!({})).await;
    for id in [&urgent, &lifo] {
        finish_by_hand(&q, id, FinishedState::Completed, 100).await;
    }
    for (id, lifo_flag) in [(&urgent, false), (&lifo, true)] {
        ReprocessJob {
            job_id: id,
            from: FinishedState::Completed,
            lifo: lifo_flag,
            reset_attempts_made: false,
            reset_attempts_started: true,
        }
        .run(&q)
        .await
        .unwrap();
    }
    assert_eq!(zset(&q, &k.prioritized).await.len(), 1);
    assert_eq!(zset(&q, &k.prioritized).await[0].0, urgent);
    assert_eq!(list(&q, &k.wait).await, [first, lifo.clone()]);
    let h = job_hash(&q, &lifo).await;
    assert!(!fields(&h).contains(&"returnvalue"));
    assert!(!fields(&h).contains(&"ats"));
    assert!(fields(&h).contains(&"atm"));
}

/// A job that is not in the named state is refused and left where it is; a
/// missing job is `JobNotFound`.
#[tokio::test]
async fn refusals() {
    let q = fresh_queue("tr-reprocess-refused");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    finish_by_hand(&q, &id, FinishedState::Completed, 100).await;
    let retry = |job_id| ReprocessJob {
        job_id,
        from: FinishedState::Failed,
        lifo: false,
        reset_attempts_made: false,
        reset_attempts_started: false,
    };
    let r = retry(&id).run(&q).await;
    assert!(
        matches!(
            r,
            Err(Error::NotInState {
                expected: "failed",
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(zset(&q, &k.completed).await.len(), 1);
    let r = retry("nope").run(&q).await;
    assert!(matches!(r, Err(Error::JobNotFound { .. })), "{r:?}");
}
