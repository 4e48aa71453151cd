//! `update_data`: the data field is replaced; a missing job is not created.

use serde_json::json;

use super::add;
use crate::engine::Error;
use crate::engine::tests::support::{exists, fresh_queue, job_hash};
use crate::engine::transitions::update_data::UpdateData;

/// The job's data is the new JSON; its other fields are untouched.
#[tokio::test]
async fn replaces_the_data() {
    let q = fresh_queue("tr-update-data");
    let id = add(&q, json!({})).await;
    let before = job_hash(&q, &id).await;
    UpdateData {
        job_id: &id,
        data_json: r#"{"v":2}"#,
    }
    .run(&q)
    .await
    .unwrap();
    let after = job_hash(&q, &id).await;
    assert!(after.contains(&("data".into(), r#"{"v":2}"#.into())));
    let others = |h: &[(String, String)]| {
        h.iter()
            .filter(|(f, _)| f != "data")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(others(&before), others(&after));
}

/// A missing job is `JobNotFound`, and no hash appears.
#[tokio::test]
async fn missing_job_is_not_created() {
    let q = fresh_queue("tr-update-data-missing");
    let r = UpdateData {
        job_id: "5",
        data_json: "{}",
    }
    .run(&q)
    .await;
    assert!(matches!(r, Err(Error::JobNotFound { .. })), "{r:?}");
    assert!(!exists(&q, &q.keys().job("5")).await);
}
