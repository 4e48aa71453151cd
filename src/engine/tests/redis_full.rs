//! A Redis over `maxmemory` (noeviction): adds are refused with the memory
//! code, workers still drain the queue (their transitions carry
//! `allow-oom`), and adds work again once the drained jobs are gone. Without
//! script flags (servers older than 7) the same queue deadlocks.

use std::time::Duration;

use serde_json::json;

use super::private_server::PrivateServer;
use super::process::start_worker;
use super::support::eventually;
use crate::engine::script_flags::ServerFeatures;
use crate::engine::{ErrorCode, JobOptions, KeepJobs, NewJob, Queue, QueueOptions, WorkerOptions};

/// About 2 KB of data per job: a few hundred jobs fill the 2 MB headroom.
fn job() -> NewJob {
    NewJob {
        name: "fill".into(),
        data: json!({ "pad": "x".repeat(2000) }).to_string(),
        opts: JobOptions::from_json(serde_json::Map::new()).unwrap(),
    }
}

/// Adds batches until Redis refuses one; returns how many jobs got in and the refusal.
async fn fill(q: &Queue) -> (usize, crate::engine::Error) {
    let mut added = 0;
    for _ in 0..10_000 {
        match q.add_bulk((0..20).map(|_| job()).collect()).await {
            Ok(ids) => added += ids.len(),
            Err(e) => return (added, e),
        }
    }
    panic!("Redis never ran out of memory");
}

async fn waiting(q: &Queue) -> u64 {
    q.get_job_counts(&["wait".into()]).await.unwrap()[0].1
}

fn server() -> PrivateServer {
    PrivateServer::start(&["--maxmemory", "3mb", "--maxmemory-policy", "noeviction"])
}

#[tokio::test]
async fn a_full_redis_refuses_adds_and_drains_through_the_workers() {
    let srv = server();
    let q = Queue::new("full", &srv.connection(), QueueOptions::default()).unwrap();
    let (added, refusal) = fill(&q).await;
    assert!(added > 0);
    assert_eq!(refusal.code(), ErrorCode::RedisOom, "{refusal}");
    assert!(refusal.to_string().contains("out of memory"), "{refusal}");
    assert!(q.server_features().await.unwrap().script_flags);
    assert_eq!(waiting(&q).await as usize, added);

    let opts = WorkerOptions {
        concurrency: 8,
        remove_on_complete: Some(KeepJobs { count: 0, age_s: 0 }),
        ..Default::default()
    };
    let (w, p) = start_worker(&q, opts, Box::new(|_| Ok("1".into())));
    eventually(|| async { (p.settled.lock().unwrap().len() == added).then_some(()) }).await;
    assert_eq!(waiting(&q).await, 0);
    // Memory came back: the same queue adds again.
    q.add(job()).await.expect("add after the drain");
    eventually(|| async { (p.settled.lock().unwrap().len() == added + 1).then_some(()) }).await;
    w.close(false).await;
    q.close();
}

#[tokio::test]
async fn without_script_flags_a_full_redis_stops_the_workers_too() {
    let srv = server();
    let q = Queue::new("old", &srv.connection(), QueueOptions::default()).unwrap();
    let (added, refusal) = fill(&q).await;
    assert_eq!(refusal.code(), ErrorCode::RedisOom);
    // What a Redis 6 gets: the unflagged scripts.
    let q2 = Queue::new("old", &srv.connection(), QueueOptions::default()).unwrap();
    q2.inner
        .server
        .set(ServerFeatures::of(Some((6, 2, 14))))
        .unwrap();
    let opts = WorkerOptions {
        remove_on_complete: Some(KeepJobs { count: 0, age_s: 0 }),
        ..Default::default()
    };
    let (w, p) = start_worker(&q2, opts, Box::new(|_| Ok("1".into())));
    // The worker reports the condition (once) and backs off; nothing moves.
    eventually(|| async {
        let events = p.events.lock().unwrap();
        events
            .iter()
            .any(|e| e.contains("out of memory"))
            .then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let reports = p
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.contains("out of memory"))
        .count();
    assert_eq!(reports, 1, "reported once per episode");
    assert!(p.settled.lock().unwrap().is_empty());
    assert_eq!(waiting(&q).await as usize, added);
    w.close(true).await;
    q.close();
    q2.close();
}
