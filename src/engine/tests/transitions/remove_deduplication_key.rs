//! `remove_deduplication_key`: the key goes only while the given job owns it.

use serde_json::json;

use super::add;
use crate::engine::tests::support::{cmd, exists, fresh_queue};
use crate::engine::transitions::remove_deduplication_key::RemoveDeduplicationKey;

#[tokio::test]
async fn removes_only_the_owners_key() {
    let q = fresh_queue("tr-dedup");
    let id = add(&q, json!({"deduplication": {"id": "d1"}})).await;
    let key = q.keys().dedup("d1");
    let other = RemoveDeduplicationKey {
        dedup_id: "d1",
        job_id: "someone-else",
    };
    assert!(!other.run(&q).await.unwrap());
    let held: Option<String> = cmd(&q, redis::cmd("GET").arg(&key)).await;
    assert_eq!(held.as_deref(), Some(id.as_str()));
    let owner = RemoveDeduplicationKey {
        dedup_id: "d1",
        job_id: &id,
    };
    assert!(owner.run(&q).await.unwrap());
    assert!(!exists(&q, &key).await);
    // Gone already: nothing to remove.
    assert!(!owner.run(&q).await.unwrap());
}
