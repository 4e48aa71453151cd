//! `obliterate`: refusals, batches, and that nothing of the queue is left.

use serde_json::json;

use super::add;
use crate::engine::Error;
use crate::engine::tests::support::{cmd, exists, fresh_queue};
use crate::engine::transitions::obliterate::Obliterate;
use crate::engine::transitions::pause::Pause;

async fn keys_left(q: &crate::engine::Queue) -> Vec<String> {
    let mut keys: Vec<String> =
        cmd(q, redis::cmd("KEYS").arg(format!("{}*", q.keys().base()))).await;
    keys.sort();
    keys
}

/// A queue that is not paused is refused, and so is one with active jobs
/// unless forced (with BullMQ's texts); nothing is deleted.
#[tokio::test]
async fn refuses_unpaused_and_active_queues() {
    let q = fresh_queue("tr-obliterate-refused");
    let k = q.keys().clone();
    let id = add(&q, json!({})).await;
    let refused = |force| Obliterate { count: 10, force };
    let r = refused(false).run(&q).await;
    assert!(
        matches!(r, Err(Error::Refused { ref message, .. }) if message == "Cannot obliterate non-paused queue"),
        "{r:?}"
    );
    Pause::Pause.run(&q).await.unwrap();
    let _: u64 = cmd(&q, redis::cmd("LPUSH").arg(&k.active).arg("busy")).await;
    let r = refused(false).run(&q).await;
    assert!(
        matches!(r, Err(Error::Refused { ref message, .. }) if message == "Cannot obliterate queue with active jobs"),
        "{r:?}"
    );
    assert!(exists(&q, &k.job(&id)).await);
}

/// Forced, in batches of two: it answers "more" until the last batch, which
/// also deletes the bookkeeping keys; only the limiter survives.
#[tokio::test]
async fn deletes_everything_in_batches() {
    let q = fresh_queue("tr-obliterate");
    let k = q.keys().clone();
    for opts in [
        json!({}),
        json!({"priority": 2}),
        json!({"delay": 60000}),
        json!({}),
        json!({}),
    ] {
        add(&q, opts).await;
    }
    q.add_log("1", "a line", None).await.unwrap();
    let _: u64 = cmd(&q, redis::cmd("LPUSH").arg(&k.active).arg("4")).await;
    let _: () = cmd(&q, redis::cmd("SET").arg(k.lock("4")).arg("tok")).await;
    let _: () = cmd(&q, redis::cmd("SET").arg(&k.limiter).arg(1)).await;
    Pause::Pause.run(&q).await.unwrap();
    let batch = Obliterate {
        count: 2,
        force: true,
    };
    let mut calls = 1;
    while batch.run(&q).await.unwrap() {
        calls += 1;
        assert!(calls < 10, "obliterate does not finish");
    }
    assert!(calls >= 3, "five jobs in batches of two took {calls} calls");
    assert_eq!(keys_left(&q).await, [k.limiter.as_str()]);
}
