//! A worker with a Rust processor, end to end.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::json;

use super::support::{eventually, fresh_queue};
use crate::engine::{
    Completions, Delivery, JobOptions, NewJob, Outcome, ProcessError, Processor, Queue, SettledAs,
    Worker, WorkerEvent, WorkerOptions,
};

type Handler = dyn Fn(crate::engine::Job) -> Result<String, String> + Send + Sync;

/// Runs `handler` for each job on a tokio task and records what the worker reports.
pub struct TestProcessor {
    completions: OnceLock<Completions>,
    handler: Box<Handler>,
    pub settled: Mutex<Vec<(String, SettledAs)>>,
    pub events: Mutex<Vec<String>>,
    pub delay: Duration,
}

impl Processor for TestProcessor {
    fn deliver(&self, d: Delivery) {
        for s in d.settled {
            self.settled.lock().unwrap().push((s.job_id, s.state));
        }
        for e in d.events {
            self.events.lock().unwrap().push(match e {
                WorkerEvent::Drained => "drained".into(),
                other => format!("{other:?}"),
            });
        }
        for job in d.jobs {
            let c = self.completions.get().unwrap().clone();
            let outcome = match (self.handler)(job.clone()) {
                Ok(rv) => Outcome::Completed(rv),
                Err(msg) => Outcome::Failed {
                    error: ProcessError {
                        name: "Error".into(),
                        message: msg,
                        stack: Some("Error: stack".into()),
                    },
                    backoff_ms: None,
                },
            };
            let delay = self.delay;
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                c.complete(job.id, outcome);
            });
        }
    }
}

pub fn start_worker(
    q: &Queue,
    opts: WorkerOptions,
    handler: Box<Handler>,
) -> (Worker, Arc<TestProcessor>) {
    let p = Arc::new(TestProcessor {
        completions: OnceLock::new(),
        handler,
        settled: Mutex::new(Vec::new()),
        events: Mutex::new(Vec::new()),
        delay: Duration::from_millis(1),
    });
    let w = Worker::new(q.clone(), opts, p.clone()).unwrap();
    p.completions.set(w.completions()).unwrap();
    w.run().unwrap();
    (w, p)
}

fn job(opts: serde_json::Value) -> NewJob {
    NewJob {
        name: "t".into(),
        data: json!({"x": 1}).to_string(),
        opts: JobOptions::from_json(opts.as_object().unwrap().clone()).unwrap(),
    }
}

#[tokio::test]
async fn completes_jobs_and_stores_returnvalue() {
    let q = fresh_queue("proc");
    for _ in 0..20 {
        q.add(job(json!({}))).await.unwrap();
    }
    let opts = WorkerOptions {
        concurrency: 4,
        ..Default::default()
    };
    let (w, p) = start_worker(
        &q,
        opts,
        Box::new(|j| Ok(format!("{{\"id\":\"{}\"}}", j.id))),
    );
    eventually(|| async { (p.settled.lock().unwrap().len() == 20).then_some(()) }).await;
    let counts = q
        .get_job_counts(&["completed".into(), "active".into(), "waiting".into()])
        .await
        .unwrap();
    assert_eq!(
        counts.iter().map(|c| c.1).collect::<Vec<_>>(),
        vec![20, 0, 0]
    );
    let j = q.get_job("7").await.unwrap().unwrap();
    assert_eq!(j.returnvalue.as_deref(), Some(r#"{"id":"7"}"#));
    assert_eq!(j.attempts_made, 1);
    assert_eq!(j.attempts_started, 1);
    assert!(j.finished_on.is_some() && j.processed_on.is_some());
    let lock: Option<String> =
        super::support::cmd(&q, redis::cmd("GET").arg(q.keys().lock("7"))).await;
    assert!(lock.is_none(), "lock released");
    eventually(|| async {
        p.events
            .lock()
            .unwrap()
            .contains(&"drained".to_string())
            .then_some(())
    })
    .await;
    w.close(false).await;
}

#[tokio::test]
async fn retries_with_backoff_then_fails_for_good() {
    let q = fresh_queue("retry");
    let id = q
        .add(job(
            json!({"attempts": 3, "backoff": {"type": "fixed", "delay": 50}}),
        ))
        .await
        .unwrap();
    let (w, p) = start_worker(
        &q,
        WorkerOptions::default(),
        Box::new(|_| Err("boom".into())),
    );
    eventually(|| async {
        p.settled
            .lock()
            .unwrap()
            .iter()
            .any(|s| s.1 == SettledAs::Failed)
            .then_some(())
    })
    .await;
    let states: Vec<SettledAs> = p
        .settled
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.1.clone())
        .collect();
    assert_eq!(
        states,
        vec![SettledAs::Retrying, SettledAs::Retrying, SettledAs::Failed]
    );
    let j = q.get_job(&id).await.unwrap().unwrap();
    assert_eq!(j.attempts_made, 3);
    assert_eq!(j.failed_reason.as_deref(), Some("boom"));
    let trace: Vec<String> = serde_json::from_str(j.stacktrace.as_deref().unwrap()).unwrap();
    assert_eq!(trace.len(), 3);
    assert_eq!(q.get_state(&id).await.unwrap(), "failed");
    w.close(false).await;
}

#[tokio::test]
async fn delayed_job_waits_its_turn() {
    let q = fresh_queue("delay");
    let (w, p) = start_worker(&q, WorkerOptions::default(), Box::new(|_| Ok("1".into())));
    let t0 = std::time::Instant::now();
    q.add(job(json!({"delay": 300}))).await.unwrap();
    eventually(|| async { (!p.settled.lock().unwrap().is_empty()).then_some(()) }).await;
    assert!(
        t0.elapsed() >= Duration::from_millis(290),
        "ran after {:?}",
        t0.elapsed()
    );
    w.close(false).await;
}

#[tokio::test]
async fn remove_on_complete_count_trims() {
    let q = fresh_queue("keep");
    for _ in 0..10 {
        q.add(job(json!({"removeOnComplete": 3}))).await.unwrap();
    }
    let (w, p) = start_worker(
        &q,
        WorkerOptions::default(),
        Box::new(|_| Ok("null".into())),
    );
    eventually(|| async { (p.settled.lock().unwrap().len() == 10).then_some(()) }).await;
    let counts = q.get_job_counts(&["completed".into()]).await.unwrap();
    assert_eq!(counts[0].1, 3);
    assert!(
        q.get_job("1").await.unwrap().is_none(),
        "trimmed job's hash is gone"
    );
    w.close(false).await;
}

#[tokio::test]
async fn stalled_job_of_a_dead_worker_is_recovered() {
    use crate::engine::worker::stalled::check_stalled;
    let q = fresh_queue("stall");
    let id = q.add(job(json!({}))).await.unwrap();
    // A "worker" that takes the job and dies: move it to active with a short lock.
    let k = q.keys().clone();
    let _: Option<String> =
        super::support::cmd(&q, redis::cmd("RPOPLPUSH").arg(&k.wait).arg(&k.active)).await;
    assert!(
        check_stalled(&q, 1, 1).await.unwrap().is_empty(),
        "first pass only marks suspects"
    );
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(check_stalled(&q, 1, 1).await.unwrap(), vec![id.clone()]);
    assert_eq!(q.get_state(&id).await.unwrap(), "waiting");
    let j = q.get_job(&id).await.unwrap().unwrap();
    assert_eq!(j.stalled_counter, 1);
}
