//! `move_to_active`: jobs taken oldest first, locked, with processedOn, ats
//! and pb written and `active` emitted; a full limiter and the next delayed job
//! are reported.

use serde_json::json;

use super::{TOKENS, add, fetch, fetch_args, field};
use crate::engine::options::Limiter;
use crate::engine::queue::now_ms;
use crate::engine::tests::support::{cmd, event_lines, fresh_queue, list};

#[tokio::test]
async fn takes_jobs_oldest_first_and_locks_them() {
    let q = fresh_queue("mta");
    let k = q.keys().clone();
    let a = add(&q, json!({})).await;
    let b = add(&q, json!({})).await;
    let got = fetch_args(1_700_000_000_000, 1).run(&q).await.unwrap();

    assert_eq!(got.jobs.len(), 1);
    let job = &got.jobs[0];
    assert_eq!(job.id, a);
    assert_eq!(job.token, format!("{TOKENS}:1"));
    // The reply holds the hash as read, before the script wrote processedOn.
    assert!(!job.fields.contains(&"processedOn".to_string()));
    assert!(job.fields.contains(&"name".to_string()));
    assert_eq!(got.rate_limit_ttl, 0);

    assert_eq!(list(&q, &k.active).await, vec![a.clone()]);
    assert_eq!(list(&q, &k.wait).await, vec![b]);
    let lock: Option<String> = cmd(&q, redis::cmd("GET").arg(k.lock(&a))).await;
    assert_eq!(lock.as_deref(), Some(job.token.as_str()));
    let ttl: i64 = cmd(&q, redis::cmd("PTTL").arg(k.lock(&a))).await;
    assert!(ttl > 0 && ttl <= 30_000, "lock ttl {ttl}");
    assert_eq!(
        field(&q, &a, "processedOn").await.as_deref(),
        Some("1700000000000")
    );
    assert_eq!(field(&q, &a, "ats").await.as_deref(), Some("1"));
    assert_eq!(field(&q, &a, "pb").await.as_deref(), Some("w1"));
    let events = event_lines(&q).await;
    assert_eq!(
        events.last().map(String::as_str),
        Some(format!("active jobId={a} prev=waiting").as_str())
    );
}

#[tokio::test]
async fn a_full_limiter_returns_its_ttl_and_moves_nothing() {
    let q = fresh_queue("mta-lim");
    let k = q.keys().clone();
    add(&q, json!({})).await;
    add(&q, json!({})).await;
    let mut args = fetch_args(now_ms(), 5);
    args.limiter = Some(Limiter {
        max: 1,
        duration_ms: 10_000,
    });
    let first = args.run(&q).await.unwrap();
    assert_eq!(first.jobs.len(), 1, "the limiter stops after max jobs");
    let second = args.run(&q).await.unwrap();
    assert!(second.jobs.is_empty());
    assert!(
        second.rate_limit_ttl > 0 && second.rate_limit_ttl <= 10_000,
        "ttl {}",
        second.rate_limit_ttl
    );
    assert_eq!(list(&q, &k.wait).await.len(), 1);
}

#[tokio::test]
async fn an_empty_queue_reports_the_next_delayed_job() {
    let q = fresh_queue("mta-delay");
    add(&q, json!({"delay": 60_000})).await;
    let before = now_ms();
    let got = fetch(&q, 1).await;
    assert!(got.jobs.is_empty());
    assert!(
        got.next_delayed_ms >= before + 59_000 && got.next_delayed_ms <= before + 61_000,
        "next delayed {} vs now {before}",
        got.next_delayed_ms
    );
}

/// A batch is taken from wait's tail and then from prioritized, and active
/// ends as single moves would leave it; a marker id of BullMQ < 5 ("0:...")
/// in wait is dropped, not handed out.
#[tokio::test]
async fn a_batch_takes_wait_then_prioritized_and_drops_old_markers() {
    let q = fresh_queue("mta-batch");
    let k = q.keys().clone();
    let a = add(&q, json!({})).await;
    let _: u64 = cmd(&q, redis::cmd("LPUSH").arg(&k.wait).arg("0:1")).await;
    let b = add(&q, json!({})).await;
    let p = add(&q, json!({"priority": 2})).await;
    let extra = add(&q, json!({})).await;
    let got = fetch(&q, 4).await;

    let ids: Vec<&str> = got.jobs.iter().map(|j| j.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![a.as_str(), b.as_str(), extra.as_str(), p.as_str()]
    );
    let tokens: Vec<String> = (1..=4).map(|n| format!("{TOKENS}:{n}")).collect();
    let got_tokens: Vec<String> = got.jobs.iter().map(|j| j.token.clone()).collect();
    assert_eq!(got_tokens, tokens);
    assert!(list(&q, &k.wait).await.is_empty());
    assert_eq!(list(&q, &k.active).await, vec![p, extra, b, a]);
}
