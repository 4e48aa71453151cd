//! `drain`: the jobs waiting to run go; delayed ones only when asked.

use serde_json::json;

use super::add;
use crate::engine::tests::support::{exists, fresh_queue, zset};
use crate::engine::transitions::drain::Drain;

/// Wait, prioritized (and its counter) are emptied and their jobs deleted;
/// delayed jobs stay until `delayed` is set.
#[tokio::test]
async fn drains_waiting_then_delayed() {
    let q = fresh_queue("tr-drain");
    let k = q.keys().clone();
    let plain = add(&q, json!({})).await;
    let urgent = add(&q, json!({"priority": 1})).await;
    let later = add(&q, json!({"delay": 60000})).await;
    assert_eq!(Drain { delayed: false }.run(&q).await.unwrap(), 2);
    for gone in [
        &k.wait,
        &k.prioritized,
        &k.pc,
        &k.job(&plain),
        &k.job(&urgent),
    ] {
        assert!(!exists(&q, gone).await, "{gone} deleted");
    }
    assert_eq!(zset(&q, &k.delayed).await.len(), 1);
    assert!(exists(&q, &k.job(&later)).await);
    assert_eq!(Drain { delayed: true }.run(&q).await.unwrap(), 1);
    assert!(!exists(&q, &k.delayed).await);
    assert!(!exists(&q, &k.job(&later)).await);
}
