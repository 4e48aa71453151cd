//! `update_progress`: the hash field and the `progress` event.

use serde_json::json;

use super::{add, clear_events};
use crate::engine::Error;
use crate::engine::tests::support::{event_lines, exists, fresh_queue, job_hash};
use crate::engine::transitions::update_progress::UpdateProgress;

/// Progress is stored as given and announced with the job id and data.
#[tokio::test]
async fn stores_progress_and_emits_it() {
    let q = fresh_queue("tr-progress");
    let id = add(&q, json!({})).await;
    clear_events(&q).await;
    UpdateProgress {
        job_id: &id,
        progress_json: r#"{"step":2}"#,
    }
    .run(&q)
    .await
    .unwrap();
    assert!(
        job_hash(&q, &id)
            .await
            .contains(&("progress".into(), r#"{"step":2}"#.into()))
    );
    assert_eq!(
        event_lines(&q).await,
        [format!(r#"progress jobId={id} data={{"step":2}}"#)]
    );
}

/// A missing job is `JobNotFound`; no hash or event is created.
#[tokio::test]
async fn missing_job_is_not_found_and_nothing_is_written() {
    let q = fresh_queue("tr-progress-missing");
    let r = UpdateProgress {
        job_id: "42",
        progress_json: "7",
    }
    .run(&q)
    .await;
    assert!(
        matches!(r, Err(Error::JobNotFound { ref id, .. }) if id == "42"),
        "{r:?}"
    );
    assert!(!exists(&q, &q.keys().job("42")).await);
    assert!(!exists(&q, &q.keys().events).await);
}
