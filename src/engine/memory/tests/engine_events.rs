//! QueueEvents on `memory://` reads the events stream the transitions write,
//! and workers show in `getWorkers()`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use super::engine_jobs::job;
use super::engine_worker::{settled, start};
use super::memory_url;
use crate::engine::{
    ConnectionOptions, EventSink, Queue, QueueEvents, QueueEventsOptions, QueueOptions,
    StreamEvent, WorkerOptions,
};

#[derive(Default)]
struct Collect(Mutex<Vec<(String, String)>>);

impl EventSink for Collect {
    fn events(&self, events: Vec<StreamEvent>) {
        let mut seen = self.0.lock().unwrap();
        for e in events {
            let field = |name: &str| {
                e.fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            seen.push((field("event"), field("jobId")));
        }
    }
    fn error(&self, code: &'static str, message: String) {
        panic!("events reader error: {code} {message}");
    }
}

#[tokio::test]
async fn queue_events_see_a_job_through_its_life() {
    let conn = ConnectionOptions {
        url: Some(memory_url("events")),
        ..Default::default()
    };
    let q = Queue::new("q", &conn, QueueOptions::default()).unwrap();
    let sink = Arc::new(Collect::default());
    let events = QueueEvents::new("q", &conn, QueueEventsOptions::default(), sink.clone()).unwrap();
    events.run();
    events.wait_until_ready().await.unwrap();
    let (w, r) = start(
        &q,
        WorkerOptions::default(),
        Box::new(|_| Some(Ok("1".into()))),
    );
    // The worker names its blocking connection as it starts; getWorkers lists it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while q.get_workers().await.unwrap().len() != 1 {
        assert!(Instant::now() < deadline, "worker never listed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let id = q.add(job(json!({}))).await.unwrap();
    settled(&r, 1).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = sink.0.lock().unwrap().clone();
        let names: Vec<&str> = seen
            .iter()
            .filter(|(_, j)| *j == id)
            .map(|(e, _)| e.as_str())
            .collect();
        if names.contains(&"completed") {
            assert_eq!(&names[..2], ["added", "waiting"], "{names:?}");
            assert!(names.contains(&"active"), "{names:?}");
            break;
        }
        assert!(Instant::now() < deadline, "no completed event: {seen:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    w.close(false).await;
    events.close().await;
    assert!(
        q.get_workers().await.unwrap().is_empty(),
        "a closed worker leaves CLIENT LIST"
    );
}
