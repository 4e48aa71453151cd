//! Manual processing (`worker/manual.rs`): a job taken under the caller's own
//! token is locked with exactly that token and settled with it, taking the
//! next job in the same call; a wrong token is refused with BullMQ's text.

use serde_json::json;

use super::support::{cmd, fresh_queue};
use super::transitions::add;
use crate::engine::options::WorkerOptions;
use crate::engine::processor::{Outcome, ProcessError, SettledAs};

fn id_of(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn take_and_settle_with_the_callers_token() {
    let q = fresh_queue("manual");
    let opts = WorkerOptions::default();
    let first = add(&q, json!({})).await;
    let second = add(&q, json!({"attempts": 2})).await;
    let taken = q.take_job("my-token", &opts).await.unwrap().unwrap();
    assert_eq!(id_of(&taken.json), first);
    let lock: Option<String> = cmd(&q, redis::cmd("GET").arg(q.keys().lock(&first))).await;
    assert_eq!(lock.as_deref(), Some("my-token"));

    let wrong = q
        .settle_job(
            &first,
            "not-mine",
            Outcome::Completed("1".into()),
            false,
            &opts,
        )
        .await
        .unwrap_err();
    assert_eq!(
        wrong.to_string(),
        format!("Lock mismatch for job {first}. Cmd moveToFinished from active")
    );

    let done = q
        .settle_job(
            &first,
            "my-token",
            Outcome::Completed("\"ok\"".into()),
            true,
            &opts,
        )
        .await
        .unwrap();
    assert_eq!(done.settled.state, SettledAs::Completed);
    assert_eq!(done.settled.attempts_made, 1);
    let next = done.next.expect("the next job comes in the same call");
    assert_eq!(id_of(&next.json), second);
    assert_eq!(q.get_state(&first).await.unwrap(), "completed");

    let error = ProcessError {
        name: "Error".into(),
        message: "boom".into(),
        stack: Some("Error: boom".into()),
    };
    let failed = Outcome::Failed {
        error,
        backoff_ms: None,
    };
    let retried = q
        .settle_job(&second, "my-token", failed, false, &opts)
        .await
        .unwrap();
    assert_eq!(retried.settled.state, SettledAs::Retrying);
    assert_eq!(retried.settled.failed_reason.as_deref(), Some("boom"));
    assert_eq!(q.get_state(&second).await.unwrap(), "waiting");

    let gone = q
        .settle_job(
            "nope",
            "my-token",
            Outcome::Completed("1".into()),
            false,
            &opts,
        )
        .await
        .unwrap_err();
    assert_eq!(gone.to_string(), "Missing key for job nope. moveToFinished");
}
