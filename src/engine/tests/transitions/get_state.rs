//! `get_state`: each state's key answers with BullMQ's state name; nothing is written.

use super::add;
use crate::engine::tests::support::{cmd, fresh_queue};
use crate::engine::transitions::get_state::GetState;

/// A job id found in each state's key reads as that state, in BullMQ's names.
#[tokio::test]
async fn each_state_key_names_its_state() {
    let q = fresh_queue("tr-state");
    let k = q.keys().clone();
    let zsets = [
        (&k.completed, "completed"),
        (&k.failed, "failed"),
        (&k.delayed, "delayed"),
        (&k.prioritized, "prioritized"),
        (&k.waiting_children, "waiting-children"),
    ];
    for (key, state) in zsets {
        let _: u64 = cmd(&q, redis::cmd("ZADD").arg(key).arg(1).arg(state)).await;
    }
    let lists = [
        (&k.active, "active"),
        (&k.wait, "wait"),
        (&k.paused, "paused"),
    ];
    for (key, id) in lists {
        let _: u64 = cmd(&q, redis::cmd("LPUSH").arg(key).arg(id)).await;
    }
    let before: Vec<String> = cmd(&q, redis::cmd("KEYS").arg(format!("{}*", k.base()))).await;
    for (id, expected) in [
        ("completed", "completed"),
        ("failed", "failed"),
        ("delayed", "delayed"),
        ("prioritized", "prioritized"),
        ("waiting-children", "waiting-children"),
        ("active", "active"),
        ("wait", "waiting"),
        // A job in a BullMQ v5 paused list is waiting too.
        ("paused", "waiting"),
        ("nowhere", "unknown"),
    ] {
        assert_eq!(
            GetState { job_id: id }.run(&q).await.unwrap(),
            expected,
            "{id}"
        );
    }
    let mut after: Vec<String> = cmd(&q, redis::cmd("KEYS").arg(format!("{}*", k.base()))).await;
    let mut before = before;
    before.sort();
    after.sort();
    assert_eq!(before, after, "get_state writes nothing");
}

/// An added job reads as waiting.
#[tokio::test]
async fn an_added_job_is_waiting() {
    let q = fresh_queue("tr-state-add");
    let id = add(&q, serde_json::json!({})).await;
    assert_eq!(GetState { job_id: &id }.run(&q).await.unwrap(), "waiting");
}
