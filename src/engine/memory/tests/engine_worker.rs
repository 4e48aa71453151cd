//! Workers on `memory://`: processing, retries with backoff, delays,
//! priorities, rate limits, pause, clean and lock expiry, all through the
//! engine's own transitions running on the embedded store.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::json;

use super::engine_jobs::{job, memory_queue};
use crate::engine::{
    Completions, Delivery, Limiter, Outcome, ProcessError, Processor, Queue, SettledAs, Worker,
    WorkerOptions,
};

type Handler = dyn Fn(&crate::engine::Job) -> Option<Result<String, String>> + Send + Sync;

/// Runs `handler` for each job (None = never finish it) and records the order
/// jobs started and how they settled.
pub struct Recorder {
    completions: OnceLock<Completions>,
    handler: Box<Handler>,
    pub started: Mutex<Vec<String>>,
    pub settled: Mutex<Vec<(String, SettledAs)>>,
}

impl Processor for Recorder {
    fn deliver(&self, d: Delivery) {
        self.settled
            .lock()
            .unwrap()
            .extend(d.settled.into_iter().map(|s| (s.job_id, s.state)));
        for j in d.jobs {
            self.started.lock().unwrap().push(j.id.clone());
            let outcome = match (self.handler)(&j) {
                None => continue,
                Some(Ok(rv)) => Outcome::Completed(rv),
                Some(Err(message)) => Outcome::Failed {
                    error: ProcessError {
                        name: "Error".into(),
                        message,
                        stack: None,
                    },
                    backoff_ms: None,
                },
            };
            self.completions.get().unwrap().complete(j.id, outcome);
        }
    }
}

pub fn start(q: &Queue, opts: WorkerOptions, handler: Box<Handler>) -> (Worker, Arc<Recorder>) {
    let r = Arc::new(Recorder {
        completions: OnceLock::new(),
        handler,
        started: Mutex::new(Vec::new()),
        settled: Mutex::new(Vec::new()),
    });
    let w = Worker::new(q.clone(), opts, r.clone()).unwrap();
    r.completions.set(w.completions()).unwrap();
    w.run().unwrap();
    (w, r)
}

/// Waits (up to 10 s) until `n` jobs settled.
pub async fn settled(r: &Recorder, n: usize) -> Vec<(String, SettledAs)> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let s = r.settled.lock().unwrap().clone();
        if s.len() >= n {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {n} settled: {s:?}",
            s.len()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn ok(_: &crate::engine::Job) -> Option<Result<String, String>> {
    Some(Ok("\"done\"".into()))
}

#[tokio::test]
async fn processes_jobs_and_cleans_completed() {
    let q = memory_queue("work");
    for _ in 0..30 {
        q.add(job(json!({}))).await.unwrap();
    }
    let opts = WorkerOptions {
        concurrency: 4,
        ..Default::default()
    };
    let (w, r) = start(&q, opts, Box::new(ok));
    let s = settled(&r, 30).await;
    assert!(s.iter().all(|(_, st)| *st == SettledAs::Completed));
    let j = q.get_job("7").await.unwrap().unwrap();
    assert_eq!(j.returnvalue.as_deref(), Some("\"done\""));
    assert!(j.finished_on.is_some() && j.processed_on.is_some());
    let cleaned = q.clean(0, 0, "completed").await.unwrap();
    assert_eq!(cleaned.len(), 30);
    assert_eq!(
        q.get_job_counts(&["completed".into()]).await.unwrap()[0].1,
        0
    );
    w.close(false).await;
}

#[tokio::test]
async fn retries_with_backoff_then_fails() {
    let q = memory_queue("retry");
    let id = q
        .add(job(
            json!({"attempts": 3, "backoff": {"type": "exponential", "delay": 20}}),
        ))
        .await
        .unwrap();
    let t0 = Instant::now();
    let (w, r) = start(
        &q,
        WorkerOptions::default(),
        Box::new(|_| Some(Err("boom".into()))),
    );
    let s = settled(&r, 3).await;
    let states: Vec<SettledAs> = s.into_iter().map(|(_, st)| st).collect();
    assert_eq!(
        states,
        [SettledAs::Retrying, SettledAs::Retrying, SettledAs::Failed]
    );
    // Exponential backoff: 20 ms then 40 ms before the second and third attempts.
    assert!(
        t0.elapsed() >= Duration::from_millis(60),
        "{:?}",
        t0.elapsed()
    );
    let j = q.get_job(&id).await.unwrap().unwrap();
    assert_eq!(
        (j.attempts_made, j.failed_reason.as_deref()),
        (3, Some("boom"))
    );
    assert_eq!(q.get_state(&id).await.unwrap(), "failed");
    w.close(false).await;
}

#[tokio::test]
async fn delayed_jobs_wait_and_priorities_order_the_rest() {
    let q = memory_queue("order");
    let t0 = Instant::now();
    q.add(job(json!({"delay": 150}))).await.unwrap();
    for p in [3, 1, 2] {
        q.add(job(json!({"priority": p}))).await.unwrap();
    }
    let opts = WorkerOptions {
        concurrency: 1,
        ..Default::default()
    };
    let (w, r) = start(&q, opts, Box::new(ok));
    settled(&r, 4).await;
    assert_eq!(*r.started.lock().unwrap(), ["3", "4", "2", "1"]);
    assert!(
        t0.elapsed() >= Duration::from_millis(150),
        "{:?}",
        t0.elapsed()
    );
    w.close(false).await;
}

#[tokio::test]
async fn a_limiter_spaces_jobs_out() {
    let q = memory_queue("limit");
    for _ in 0..3 {
        q.add(job(json!({}))).await.unwrap();
    }
    let opts = WorkerOptions {
        limiter: Some(Limiter {
            max: 1,
            duration_ms: 100,
        }),
        ..Default::default()
    };
    let t0 = Instant::now();
    let (w, r) = start(&q, opts, Box::new(ok));
    settled(&r, 3).await;
    assert!(
        t0.elapsed() >= Duration::from_millis(200),
        "3 jobs, 1 per 100 ms: {:?}",
        t0.elapsed()
    );
    w.close(false).await;
}

#[tokio::test]
async fn a_paused_queue_holds_jobs_until_resumed() {
    let q = memory_queue("paused");
    q.pause().await.unwrap();
    q.add(job(json!({}))).await.unwrap();
    let (w, r) = start(
        &q,
        WorkerOptions {
            drain_delay_s: 0.05,
            ..Default::default()
        },
        Box::new(ok),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        r.started.lock().unwrap().is_empty(),
        "nothing runs while paused"
    );
    q.resume().await.unwrap();
    settled(&r, 1).await;
    w.close(false).await;
}

#[tokio::test]
async fn a_job_whose_lock_expires_is_taken_over() {
    let q = memory_queue("lock");
    let id = q.add(job(json!({}))).await.unwrap();
    // The first worker takes the job and never finishes or renews it.
    let hung = WorkerOptions {
        lock_duration_ms: 50,
        skip_lock_renewal: true,
        skip_stalled_check: true,
        ..Default::default()
    };
    let (w1, r1) = start(&q, hung, Box::new(|_| None));
    let deadline = Instant::now() + Duration::from_secs(10);
    while r1.started.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A second worker's stalled check finds the expired lock and runs the job.
    let rescuer = WorkerOptions {
        stalled_interval_ms: 30,
        ..Default::default()
    };
    let (w2, r2) = start(&q, rescuer, Box::new(ok));
    let s = settled(&r2, 1).await;
    assert_eq!(s, [(id.clone(), SettledAs::Completed)]);
    assert_eq!(q.get_job(&id).await.unwrap().unwrap().stalled_counter, 1);
    w2.close(false).await;
    w1.close(true).await;
}
