//! The worker settles every outcome itself and reports the fields it wrote
//! (attemptsMade, finishedOn, failedReason, stacktrace, retry delay), so a
//! caller's copy of the job matches Redis without computing anything.

use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;

use super::support::{eventually, fresh_queue};
use super::transitions::{add, field};
use crate::engine::{
    Completions, Delivery, Job, Limiter, Outcome, ProcessError, Processor, Queue, Settled,
    SettledAs, Worker, WorkerOptions,
};

type Decide = dyn Fn(&Job, usize) -> Outcome + Send + Sync;

/// Decides each job's outcome from the job and how many jobs it has seen,
/// reports it from a task, and records every settled entry in full.
struct Recorder {
    completions: OnceLock<Completions>,
    decide: Box<Decide>,
    seen: Mutex<usize>,
    settled: Mutex<Vec<Settled>>,
}

impl Processor for Recorder {
    fn deliver(&self, d: Delivery) {
        self.settled.lock().unwrap().extend(d.settled);
        for job in d.jobs {
            let n = {
                let mut seen = self.seen.lock().unwrap();
                *seen += 1;
                *seen
            };
            let outcome = (self.decide)(&job, n);
            let c = self.completions.get().unwrap().clone();
            tokio::spawn(async move {
                c.complete(job.id, outcome);
            });
        }
    }
}

fn start(q: &Queue, opts: WorkerOptions, decide: Box<Decide>) -> (Worker, Arc<Recorder>) {
    let r = Arc::new(Recorder {
        completions: OnceLock::new(),
        decide,
        seen: Mutex::new(0),
        settled: Mutex::new(Vec::new()),
    });
    let w = Worker::new(q.clone(), opts, r.clone()).unwrap();
    r.completions.set(w.completions()).unwrap();
    w.run().unwrap();
    (w, r)
}

async fn settled_count(r: &Recorder, n: usize) -> Vec<Settled> {
    eventually(|| async {
        let s = r.settled.lock().unwrap();
        (s.len() >= n).then(|| s.clone())
    })
    .await
}

fn error(name: &str, message: &str) -> Outcome {
    Outcome::Failed {
        error: ProcessError {
            name: name.into(),
            message: message.into(),
            stack: Some(format!("{name}: {message}\n    at test")),
        },
        backoff_ms: None,
    }
}

#[tokio::test]
async fn completed_reports_what_redis_holds() {
    let q = fresh_queue("out-c");
    let id = add(&q, json!({})).await;
    let (w, r) = start(
        &q,
        WorkerOptions::default(),
        Box::new(|_, _| Outcome::Completed("7".into())),
    );
    let s = settled_count(&r, 1).await.remove(0);
    assert_eq!(s.state, SettledAs::Completed);
    assert_eq!(s.attempts_made, 1);
    assert_eq!(
        s.finished_on.map(|t| t.to_string()),
        field(&q, &id, "finishedOn").await
    );
    assert_eq!(
        (s.failed_reason, s.stacktrace, s.delay_ms),
        (None, None, None)
    );
    w.close(false).await;
}

#[tokio::test]
async fn a_retry_reports_its_delay_and_the_final_failure_its_trace() {
    let q = fresh_queue("out-f");
    let id = add(
        &q,
        json!({"attempts": 2, "backoff": {"type": "fixed", "delay": 40}}),
    )
    .await;
    let (w, r) = start(
        &q,
        WorkerOptions::default(),
        Box::new(|_, _| error("Error", "boom")),
    );
    let all = settled_count(&r, 2).await;
    let (retry, last) = (&all[0], &all[1]);
    assert_eq!(retry.state, SettledAs::Retrying);
    assert_eq!(retry.attempts_made, 1);
    assert_eq!(retry.delay_ms, Some(40));
    assert_eq!(retry.finished_on, None);
    assert_eq!(retry.failed_reason.as_deref(), Some("boom"));
    let trace: Vec<String> = serde_json::from_str(retry.stacktrace.as_deref().unwrap()).unwrap();
    assert_eq!(trace, vec!["Error: boom\n    at test"]);

    assert_eq!(last.state, SettledAs::Failed);
    assert_eq!(last.attempts_made, 2);
    assert_eq!(last.delay_ms, None);
    assert_eq!(
        last.finished_on.map(|t| t.to_string()),
        field(&q, &id, "finishedOn").await
    );
    assert_eq!(last.stacktrace, field(&q, &id, "stacktrace").await);
    assert_eq!(field(&q, &id, "atm").await.as_deref(), Some("2"));
    w.close(false).await;
}

#[tokio::test]
async fn a_rate_limit_error_puts_the_job_back_without_counting_the_attempt() {
    let q = fresh_queue("out-rl");
    let id = add(&q, json!({"attempts": 1})).await;
    let opts = WorkerOptions {
        limiter: Some(Limiter {
            max: 10,
            duration_ms: 1_000,
        }),
        ..Default::default()
    };
    let (w, r) = start(
        &q,
        opts,
        Box::new(|_, n| match n {
            1 => error("RateLimitError", "bullmq:rateLimitExceeded"),
            _ => Outcome::Completed("\"done\"".into()),
        }),
    );
    let all = settled_count(&r, 2).await;
    assert_eq!(all[0].state, SettledAs::RateLimited);
    assert_eq!(all[0].attempts_made, 0);
    assert_eq!(all[1].state, SettledAs::Completed);
    assert_eq!(all[1].attempts_made, 1, "only the completed run counts");
    assert_eq!(field(&q, &id, "atm").await.as_deref(), Some("1"));
    assert_eq!(field(&q, &id, "ats").await.as_deref(), Some("2"));
    w.close(false).await;
}

#[tokio::test]
async fn a_job_user_code_moved_is_let_go_of_untouched() {
    let q = fresh_queue("out-mv");
    let id = add(&q, json!({})).await;
    let (w, r) = start(
        &q,
        WorkerOptions::default(),
        Box::new(|_, _| error("DelayedError", "")),
    );
    let s = settled_count(&r, 1).await.remove(0);
    assert_eq!(s.state, SettledAs::Moved);
    assert_eq!(w.active_count(), 0);
    // The worker wrote nothing: the job is where user code left it (here: still active).
    assert_eq!(q.get_state(&id).await.unwrap(), "active");
    assert_eq!(field(&q, &id, "atm").await, None);
    w.close(true).await;
}
