//! `move_job_from_active_to_wait`: a rate-limited job goes back to the front
//! of its line, lock released, attempt not counted; another token is refused.

use serde_json::json;

use super::{add, fetch, field};
use crate::engine::Error;
use crate::engine::tests::support::{cmd, event_lines, exists, fresh_queue, list};
use crate::engine::transitions::move_job_from_active_to_wait::MoveJobFromActiveToWait;

#[tokio::test]
async fn puts_the_job_at_the_front_and_returns_the_limiter_ttl() {
    let q = fresh_queue("a2w");
    let k = q.keys().clone();
    add(&q, json!({})).await;
    let later = add(&q, json!({})).await;
    let held = fetch(&q, 1).await.jobs.remove(0);
    let _: () = cmd(
        &q,
        redis::cmd("SET")
            .arg(&k.limiter)
            .arg(5)
            .arg("PX")
            .arg(60_000),
    )
    .await;
    let back = MoveJobFromActiveToWait {
        job_id: &held.id,
        token: &held.token,
        unstarted: false,
    };
    let ttl = back.run(&q).await.unwrap().unwrap();

    assert!(ttl > 0 && ttl <= 60_000, "ttl {ttl}");
    // wait is consumed from the right: the returned job is next.
    assert_eq!(list(&q, &k.wait).await, vec![later, held.id.clone()]);
    assert!(list(&q, &k.active).await.is_empty());
    assert!(!exists(&q, &k.lock(&held.id)).await);
    assert_eq!(
        field(&q, &held.id, "atm").await,
        None,
        "the attempt is not counted"
    );
    // A rate-limited job did start: attemptsStarted stays.
    assert_eq!(field(&q, &held.id, "ats").await.as_deref(), Some("1"));
    assert_eq!(
        event_lines(&q).await.last(),
        Some(&format!("waiting jobId={} prev=active", held.id))
    );
}

#[tokio::test]
async fn a_prioritized_job_returns_to_the_front_of_its_priority_and_a_foreign_token_is_refused() {
    let q = fresh_queue("a2w-p");
    let k = q.keys().clone();
    add(&q, json!({"priority": 3})).await;
    let held = fetch(&q, 1).await.jobs.remove(0);
    let foreign = MoveJobFromActiveToWait {
        job_id: &held.id,
        token: "other",
        unstarted: true,
    };
    let refused = foreign.run(&q).await.unwrap();
    assert!(
        matches!(refused, Err(Error::LockMismatch { ref id, .. }) if *id == held.id),
        "{refused:?}"
    );
    assert_eq!(list(&q, &k.active).await, vec![held.id.clone()]);

    let own = MoveJobFromActiveToWait {
        job_id: &held.id,
        token: &held.token,
        unstarted: true,
    };
    assert_eq!(own.run(&q).await.unwrap().unwrap(), 0, "no limiter set");
    let score: Option<u64> = cmd(&q, redis::cmd("ZSCORE").arg(&k.prioritized).arg(&held.id)).await;
    assert_eq!(score, Some(3 << 32));
    // Given back unstarted (a prefetched job): the start is not counted either.
    assert_eq!(field(&q, &held.id, "ats").await.as_deref(), Some("0"));
}
