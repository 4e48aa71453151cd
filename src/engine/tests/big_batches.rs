//! Batches far past Lua 5.1's limits (about 8000 values per `unpack`, and on
//! the embedded store once also per script call), on redis-server and on the
//! embedded store alike: what each leaves behind (counts, ids, order).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::json;

use super::flow::node;
use super::process::start_worker;
use super::support::{cmd, connection, fresh_queue, list};
use super::transitions::{fetch_args, finished, new_job};
use crate::engine::flow::FlowProducer;
use crate::engine::queue::now_ms;
use crate::engine::transitions::extend_locks::ExtendLocks;
use crate::engine::transitions::move_to_finished::{Finish, MoveToFinished};
use crate::engine::{ConnectionOptions, Queue, QueueOptions, WorkerOptions};

/// The same fresh queue on the suite's store (redis-server, or memory:// with
/// FERROQ_TEST_STORE=memory) and on a fresh embedded store, each with the
/// connection options that reach it.
fn stores(tag: &str) -> Vec<(&'static str, ConnectionOptions, Queue)> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let memory = ConnectionOptions {
        url: Some(format!(
            "memory://big-{tag}-{}",
            N.fetch_add(1, Ordering::Relaxed)
        )),
        ..Default::default()
    };
    let redis = fresh_queue(tag);
    let on_memory = Queue::new(redis.name(), &memory, QueueOptions::default()).unwrap();
    vec![
        ("redis", connection(), redis),
        ("memory", memory, on_memory),
    ]
}

async fn count(q: &Queue, c: &mut redis::Cmd) -> u64 {
    cmd(q, c).await
}

/// 20,000 jobs in one add_bulk (40 script calls): every id, every line in
/// order, duplicates of custom ids across calls answered with the first id,
/// and another client sees none of them or all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_bulk_of_20000_jobs_is_whole_in_order_and_all_at_once() {
    const N: u64 = 20_000;
    for (store, conn, q) in stores("bulk") {
        let k = q.keys().clone();
        let mut jobs = Vec::new();
        let mut expected_ids = Vec::new();
        let mut ready = Vec::new();
        let (mut delayed, mut prioritized) = (0u64, 0u64);
        let mut customs = std::collections::HashSet::new();
        for i in 0..N {
            let opts = if i % 7 == 3 {
                delayed += 1;
                json!({ "delay": 60_000 })
            } else if i % 11 == 5 {
                prioritized += 1;
                json!({ "priority": 1 + i % 3 })
            } else if i % 13 == 0 {
                // c-0 .. c-199, each again 2600 jobs later (a later script call).
                json!({ "jobId": format!("c-{}", i % 2600) })
            } else {
                json!({})
            };
            let id = match opts.get("jobId") {
                Some(c) => c.as_str().unwrap().to_string(),
                None => (i + 1).to_string(),
            };
            if (i % 7 != 3 && i % 11 != 5) && (i % 13 != 0 || customs.insert(id.clone())) {
                ready.push(id.clone());
            }
            expected_ids.push(id);
            jobs.push(new_job("bulk", i, opts));
        }
        // Another connection watches the wait list while the batch goes in.
        let watcher = Queue::new(q.name(), &conn, QueueOptions::default()).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = tokio::spawn({
            let (stop, wait) = (stop.clone(), k.wait.clone());
            async move {
                let mut seen = std::collections::BTreeSet::new();
                while !stop.load(Ordering::Acquire) {
                    seen.insert(count(&watcher, redis::cmd("LLEN").arg(&wait)).await);
                    tokio::task::yield_now().await;
                }
                seen
            }
        });
        let ids = q.add_bulk(jobs).await.unwrap();
        stop.store(true, Ordering::Release);
        let seen = seen.await.unwrap();
        let total = ready.len() as u64;
        assert!(
            seen.iter().all(|n| *n == 0 || *n == total),
            "{store}: another client saw a partial batch: {seen:?}"
        );
        assert_eq!(ids, expected_ids, "{store}");
        // wait is pushed at the head: newest first.
        ready.reverse();
        assert_eq!(list(&q, &k.wait).await, ready, "{store}");
        assert_eq!(
            count(&q, redis::cmd("ZCARD").arg(&k.delayed)).await,
            delayed
        );
        assert_eq!(
            count(&q, redis::cmd("ZCARD").arg(&k.prioritized)).await,
            prioritized
        );
        assert_eq!(count(&q, redis::cmd("GET").arg(&k.id)).await, N);
        // The first job of the second call and the last job, as stored.
        for (i, id) in [(500u64, "501"), (N - 1, "20000")] {
            let h: Vec<String> = cmd(
                &q,
                redis::cmd("HMGET").arg(k.job(id)).arg("name").arg("data"),
            )
            .await;
            assert_eq!(h, ["bulk".to_string(), json!({ "n": i }).to_string()]);
        }
    }
}

/// One move_to_finished of 2000 jobs (a worker at concurrency 2000): each is
/// settled, the fetch that follows takes its jobs, and metrics catch up on
/// 9000 idle minutes (9000 data points, past one `unpack`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settling_2000_jobs_at_once_with_a_long_metrics_gap() {
    for (store, _, q) in stores("settle") {
        let k = q.keys().clone();
        let jobs: Vec<_> = (0..2005).map(|i| new_job("s", i, json!({}))).collect();
        q.add_bulk(jobs).await.unwrap();
        let now = now_ms();
        let taken = fetch_args(now, 2000).run(&q).await.unwrap();
        assert_eq!(taken.jobs.len(), 2000, "{store}");
        let since = now - 9000 * 60_000;
        let _: () = cmd(
            &q,
            redis::cmd("HSET")
                .arg(&k.metrics_completed)
                .arg("prevTS")
                .arg(since)
                .arg("prevCount")
                .arg(0),
        )
        .await;
        let settled: Vec<_> = taken
            .jobs
            .iter()
            .map(|j| finished(&j.id, &j.token, Finish::Completed, "1"))
            .collect();
        let mut next = fetch_args(now, 5);
        next.seq = Some(2000);
        let reply = MoveToFinished {
            fetch: next,
            metrics_max_data_points: 10_080,
            jobs: &settled,
        }
        .run(&q)
        .await
        .unwrap();
        assert_eq!(reply.codes, vec![0; 2000], "{store}");
        let next_ids: Vec<&str> = reply.fetched.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(
            next_ids,
            ["2001", "2002", "2003", "2004", "2005"],
            "{store}"
        );
        assert_eq!(count(&q, redis::cmd("ZCARD").arg(&k.completed)).await, 2000);
        assert_eq!(list(&q, &k.active).await.len(), 5, "{store}");
        let data = format!("{}:data", k.metrics_completed);
        assert_eq!(
            count(&q, redis::cmd("LLEN").arg(&data)).await,
            9000,
            "{store}"
        );
    }
}

/// A worker at concurrency 2000 runs 4000 jobs to completion (settling up to
/// 2000 per call).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_at_concurrency_2000() {
    for (store, _, q) in stores("conc") {
        let jobs: Vec<_> = (0..4000).map(|i| new_job("w", i, json!({}))).collect();
        q.add_bulk(jobs).await.unwrap();
        let opts = WorkerOptions {
            concurrency: 2000,
            ..WorkerOptions::default()
        };
        let (w, p) = start_worker(&q, opts, Box::new(|_| Ok("1".into())));
        let k = q.keys().clone();
        // Not a timing check: the cap only stops a hang (the debug build on a
        // loaded machine can take far longer than `eventually`'s 10 s).
        let cap = std::time::Instant::now() + std::time::Duration::from_secs(600);
        while count(&q, redis::cmd("ZCARD").arg(&k.completed)).await < 4000 {
            assert!(
                std::time::Instant::now() < cap,
                "{store}: jobs not completed"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        w.close(false).await;
        assert_eq!(p.settled.lock().unwrap().len(), 4000, "{store}");
        assert_eq!(count(&q, redis::cmd("ZCARD").arg(&k.failed)).await, 0);
    }
}

/// 5000 locks renewed in one call (10,002 ARGV); only the stranger's is reported lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extending_5000_locks() {
    for (store, _, q) in stores("locks") {
        let jobs: Vec<_> = (0..5000).map(|i| new_job("l", i, json!({}))).collect();
        q.add_bulk(jobs).await.unwrap();
        let taken = fetch_args(now_ms(), 5000).run(&q).await.unwrap();
        let mut pairs: Vec<(String, String)> = taken
            .jobs
            .iter()
            .map(|j| (j.id.clone(), j.token.clone()))
            .collect();
        pairs.push(("5000".into(), "someone-else".into()));
        let lost = ExtendLocks {
            lock_duration_ms: 600_000,
            jobs: &pairs,
        }
        .run(&q)
        .await
        .unwrap();
        assert_eq!(lost, ["5000"], "{store}");
        let ttl = count(
            &q,
            redis::cmd("PTTL").arg(format!("{}:lock", q.keys().job("4999"))),
        )
        .await;
        assert!(
            ttl > 300_000,
            "{store}: lock of the last job not renewed ({ttl} ms)"
        );
    }
}

/// promoteJobs of 10,000 delayed jobs in one script call: all in wait, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promoting_10000_delayed_jobs_in_one_call() {
    for (store, _, q) in stores("promote") {
        let k = q.keys().clone();
        let jobs: Vec<_> = (0..10_000)
            .map(|i| new_job("d", i, json!({ "delay": 60_000 + i })))
            .collect();
        q.add_bulk(jobs).await.unwrap();
        q.promote_jobs(10_000).await.unwrap();
        assert_eq!(count(&q, redis::cmd("ZCARD").arg(&k.delayed)).await, 0);
        let mut expected: Vec<String> = (1..=10_000).map(|i: u64| i.to_string()).collect();
        expected.reverse();
        assert_eq!(list(&q, &k.wait).await, expected, "{store}");
        q.obliterate(true).await.unwrap();
        assert_eq!(count(&q, redis::cmd("EXISTS").arg(k.job("1"))).await, 0);
    }
}

/// A flow of one parent with 3000 children, in one script call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flow_with_3000_children() {
    for (store, conn, q) in stores("flow") {
        let children: Vec<_> = (0..3000)
            .map(|i| node(&format!("c{i}"), &q, json!({}), vec![]))
            .collect();
        let fp = FlowProducer::new(&conn, q.prefix()).unwrap();
        let nodes = fp
            .add(node("parent", &q, json!({}), children))
            .await
            .unwrap();
        assert_eq!(nodes.len(), 3001, "{store}");
        let parent = &nodes[0].id;
        let k = q.keys().clone();
        assert_eq!(q.get_state(parent).await.unwrap(), "waiting-children");
        let deps = format!("{}:dependencies", k.job(parent));
        assert_eq!(
            count(&q, redis::cmd("SCARD").arg(&deps)).await,
            3000,
            "{store}"
        );
        let mut expected: Vec<String> = nodes[1..].iter().map(|n| n.id.clone()).collect();
        expected.reverse();
        assert_eq!(list(&q, &k.wait).await, expected, "{store}");
    }
}

/// A script cache emptied before a chunked add (SCRIPT FLUSH, a restarted or
/// failed-over server): every call of the transaction answers NOSCRIPT, so
/// none ran; the script is loaded and the whole add goes through once. On the
/// embedded store here; on Redis in `script_cache.rs` (a private server, as a
/// flush would reach every other test on the shared one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_add_after_the_script_cache_was_emptied() {
    let (_, _, q) = stores("flush").pop().expect("the memory store");
    chunked_add_after_flush(&q).await;
}

/// Adds one job, empties the script cache, then adds 1200 (3 calls).
pub(super) async fn chunked_add_after_flush(q: &Queue) {
    let k = q.keys().clone();
    q.add(new_job("first", 0, json!({}))).await.unwrap();
    let _: () = cmd(q, redis::cmd("SCRIPT").arg("FLUSH")).await;
    let jobs: Vec<_> = (1..=1200).map(|i| new_job("f", i, json!({}))).collect();
    let ids = q.add_bulk(jobs).await.unwrap();
    let expected: Vec<String> = (2..=1201).map(|i: u64| i.to_string()).collect();
    assert_eq!(ids, expected);
    assert_eq!(list(q, &k.wait).await.len(), 1201);
    assert_eq!(count(q, redis::cmd("GET").arg(&k.id)).await, 1201);
}
