//! Job schedulers: the keys an upsert leaves, replacing without duplicates,
//! the next iteration created when the current one starts, limit and removal.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::process::start_worker;
use super::support::{cmd, eventually, fresh_queue};
use crate::engine::queue::now_ms;
use crate::engine::scheduler::{JobTemplate, RepeatOptions};
use crate::engine::{ErrorCode, Queue, WorkerOptions};

fn repeat(v: Value) -> RepeatOptions {
    RepeatOptions::from_json(v.as_object().unwrap(), "repeatOpts").unwrap()
}

fn template(name: &str, data: Value, opts: Value) -> JobTemplate {
    JobTemplate {
        name: Some(name.into()),
        data: data.to_string(),
        opts: opts.as_object().unwrap().clone(),
    }
}

async fn hash(q: &Queue, key: &str) -> HashMap<String, String> {
    cmd(q, redis::cmd("HGETALL").arg(key)).await
}

async fn zrange(q: &Queue, key: &str) -> Vec<(String, f64)> {
    cmd(
        q,
        redis::cmd("ZRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES"),
    )
    .await
}

#[tokio::test]
async fn every_upsert_runs_now_and_stores_bullmq_layout() {
    let q = fresh_queue("sched-every");
    let before = now_ms();
    let job = q
        .upsert_job_scheduler(
            "every1",
            repeat(json!({ "every": 60000 })),
            template(
                "tick",
                json!({ "a": 1 }),
                json!({ "attempts": 3, "removeOnComplete": 5 }),
            ),
        )
        .await
        .unwrap()
        .unwrap();
    let k = q.keys();
    let millis: u64 = job.id.rsplit(':').next().unwrap().parse().unwrap();
    assert!(millis >= before && millis <= now_ms());
    assert_eq!(job.id, format!("repeat:every1:{millis}"));
    assert_eq!(job.repeat_job_key.as_deref(), Some("every1"));
    assert_eq!(job.delay, 0);
    // Ready now: in wait, with a waiting event, and the counter moved once.
    let wait: Vec<String> = cmd(&q, redis::cmd("LRANGE").arg(&k.wait).arg(0).arg(-1)).await;
    assert_eq!(wait, vec![job.id.clone()]);
    let id: u64 = cmd(&q, redis::cmd("GET").arg(&k.id)).await;
    assert_eq!(id, 1);
    assert_eq!(
        zrange(&q, &k.repeat).await,
        vec![("every1".into(), millis as f64)]
    );
    let h = hash(&q, &k.scheduler("every1")).await;
    assert_eq!(h["name"], "tick");
    assert_eq!(h["every"], "60000");
    assert_eq!(h["offset"], (millis % 60000).to_string());
    assert_eq!(h["ic"], "1");
    assert_eq!(h["data"], "{\"a\":1}");
    let opts: Value = serde_json::from_str(&h["opts"]).unwrap();
    assert_eq!(opts, json!({ "attempts": 3, "removeOnComplete": 5 }));
    let it: Value = serde_json::from_str(&job.opts).unwrap();
    assert_eq!(it["jobId"], json!(job.id));
    assert_eq!(it["delay"], json!(0));
    assert_eq!(it["repeatJobKey"], json!("every1"));
    assert_eq!(it["repeat"], json!({ "every": 60000, "count": 1 }));
    assert_eq!(it["attempts"], json!(3));
    assert!(it.get("prevMillis").is_none());
}

#[tokio::test]
async fn cron_upsert_is_delayed_to_the_next_match_in_its_zone() {
    let q = fresh_queue("sched-cron");
    let job = q
        .upsert_job_scheduler(
            "c1",
            repeat(json!({ "pattern": "0 0 12 * * *", "tz": "Asia/Tokyo", "limit": 5 })),
            template("c", json!({}), json!({})),
        )
        .await
        .unwrap()
        .unwrap();
    let millis: u64 = job.id.rsplit(':').next().unwrap().parse().unwrap();
    // Noon in Tokyo is 03:00 UTC.
    assert_eq!(millis % 86_400_000, 3 * 3_600_000);
    assert!(millis > now_ms() && millis <= now_ms() + 86_400_000);
    let k = q.keys();
    let delayed = zrange(&q, &k.delayed).await;
    assert_eq!(delayed, vec![(job.id.clone(), (millis * 4096) as f64)]);
    let h = hash(&q, &k.scheduler("c1")).await;
    assert_eq!(h["pattern"], "0 0 12 * * *");
    assert_eq!(h["tz"], "Asia/Tokyo");
    assert_eq!(h["limit"], "5");
    assert_eq!(h["offset"], "0");
    assert!(!h.contains_key("data") && !h.contains_key("opts"));
    let it: Value = serde_json::from_str(&job.opts).unwrap();
    assert_eq!(it["prevMillis"], json!(millis));
    assert_eq!(it["repeat"]["count"], json!(1));
    let events: Vec<redis::Value> =
        cmd(&q, redis::cmd("XRANGE").arg(&k.events).arg("-").arg("+")).await;
    let text = format!("{events:?}");
    assert!(
        text.contains("delayed") && text.contains(&millis.to_string()),
        "{text}"
    );
}

#[tokio::test]
async fn upserting_again_keeps_one_pending_iteration() {
    let q = fresh_queue("sched-again");
    let k = q.keys().clone();
    for every in [60_000, 60_000, 120_000] {
        q.upsert_job_scheduler(
            "s",
            repeat(json!({ "every": every, "startDate": now_ms() + 3_600_000 })),
            template("s", json!({}), json!({})),
        )
        .await
        .unwrap();
    }
    assert_eq!(zrange(&q, &k.delayed).await.len(), 1);
    let h = hash(&q, &k.scheduler("s")).await;
    assert_eq!(h["every"], "120000");
    assert_eq!(q.get_job_schedulers_count().await.unwrap(), 1);
    // Changing to a pattern replaces the delayed iteration too.
    q.upsert_job_scheduler(
        "s",
        repeat(json!({ "pattern": "0 0 1 1 *" })),
        template("s", json!({}), json!({})),
    )
    .await
    .unwrap();
    let delayed = zrange(&q, &k.delayed).await;
    assert_eq!(delayed.len(), 1);
    let s = q.get_job_scheduler("s").await.unwrap().unwrap();
    assert_eq!(s.pattern.as_deref(), Some("0 0 1 1 *"));
    assert_eq!(delayed[0].0, format!("repeat:s:{}", s.next.unwrap()));
}

#[tokio::test]
async fn refuses_bad_input_with_codes() {
    let q = fresh_queue("sched-bad");
    let e = q
        .upsert_job_scheduler(
            "x",
            repeat(json!({ "every": 1000, "endDate": now_ms() - 1000 })),
            JobTemplate::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidOption);
    assert!(e.to_string().contains("End date must be greater"), "{e}");
    let e = q
        .upsert_job_scheduler("", repeat(json!({ "every": 1000 })), JobTemplate::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidOption);
    let e = q
        .upsert_job_scheduler(
            "x",
            repeat(json!({ "every": 1000 })),
            template("x", json!({}), json!({ "priority": -1 })),
        )
        .await
        .unwrap_err();
    // The template's own field is named: bullmq's text, with the path kept in the error.
    assert_eq!(e.code(), ErrorCode::InvalidOption);
    match e {
        crate::engine::Error::InvalidOption { field, .. }
        | crate::engine::Error::Refused { field, .. } => {
            assert_eq!(field, "jobTemplate.opts.priority")
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn worker_creates_the_next_iteration_and_stops_at_limit() {
    let q = fresh_queue("sched-run");
    let k = q.keys().clone();
    q.upsert_job_scheduler(
        "ev",
        repeat(json!({ "every": 300, "limit": 3 })),
        template("tick", json!({ "n": 1 }), json!({})),
    )
    .await
    .unwrap();
    let (w, p) = start_worker(
        &q,
        WorkerOptions::default(),
        Box::new(|j| Ok(j.data.clone())),
    );
    let done = eventually(|| async {
        let s = p.settled.lock().unwrap().clone();
        (s.len() >= 3).then_some(s)
    })
    .await;
    assert_eq!(done.len(), 3);
    // Three iterations, whole intervals apart (one, unless the worker started
    // one late and the schedule skipped ahead), then nothing pending: the
    // limit ended it.
    let completed = zrange(&q, &k.completed).await;
    let mut millis: Vec<u64> = completed
        .iter()
        .map(|(id, _)| id.rsplit(':').next().unwrap().parse().unwrap())
        .collect();
    millis.sort();
    assert_eq!(millis.len(), 3);
    assert!(millis[0] < millis[1] && millis[1] < millis[2]);
    assert_eq!((millis[1] - millis[0]) % 300, 0);
    assert_eq!((millis[2] - millis[0]) % 300, 0);
    assert!(zrange(&q, &k.delayed).await.is_empty());
    let s = q.get_job_scheduler("ev").await.unwrap().unwrap();
    assert_eq!(s.iteration_count, Some(3));
    assert_eq!(s.next, Some(millis[2]));
    let second = q
        .get_job(&format!("repeat:ev:{}", millis[1]))
        .await
        .unwrap()
        .unwrap();
    let o: Value = serde_json::from_str(&second.opts).unwrap();
    assert_eq!(o["repeat"]["count"], json!(2));
    assert_eq!(second.data, "{\"n\":1}");
    w.close(false).await;
}

#[tokio::test]
async fn removing_a_scheduler_removes_its_delayed_iteration() {
    let q = fresh_queue("sched-rm");
    let k = q.keys().clone();
    let job = q
        .upsert_job_scheduler(
            "r",
            repeat(json!({ "pattern": "0 0 1 1 *" })),
            JobTemplate::default(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.name, "r", "the name defaults to the scheduler id");
    // The current iteration cannot be removed on its own.
    assert_eq!(
        q.remove(&job.id).await.unwrap_err().code(),
        ErrorCode::SchedulerJob
    );
    assert!(q.remove_job_scheduler("r").await.unwrap());
    assert!(!q.remove_job_scheduler("r").await.unwrap());
    assert!(zrange(&q, &k.delayed).await.is_empty());
    assert!(q.get_job(&job.id).await.unwrap().is_none());
    assert!(q.get_job_scheduler("r").await.unwrap().is_none());
    let exists: i64 = cmd(&q, redis::cmd("EXISTS").arg(k.scheduler("r"))).await;
    assert_eq!(exists, 0);
}

#[tokio::test]
async fn lists_schedulers_by_next_run() {
    let q = fresh_queue("sched-list");
    let now = now_ms();
    for (id, start) in [
        ("b", now + 20_000),
        ("a", now + 10_000),
        ("c", now + 30_000),
    ] {
        q.upsert_job_scheduler(
            id,
            repeat(json!({ "every": 60000, "startDate": start })),
            JobTemplate::default(),
        )
        .await
        .unwrap();
    }
    let desc: Vec<String> = q
        .get_job_schedulers(0, -1, false)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(desc, ["c", "b", "a"]);
    let asc: Vec<String> = q
        .get_job_schedulers(0, 1, true)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(asc, ["a", "b"]);
    assert_eq!(q.get_job_schedulers_count().await.unwrap(), 3);
}

#[tokio::test]
async fn a_stalled_iteration_of_a_live_scheduler_is_never_failed() {
    use crate::engine::worker::stalled::check_stalled;
    let q = fresh_queue("sched-stall");
    let k = q.keys().clone();
    let job = q
        .upsert_job_scheduler(
            "s",
            repeat(json!({ "every": 60000 })),
            JobTemplate::default(),
        )
        .await
        .unwrap()
        .unwrap();
    let plain = q
        .add(crate::engine::NewJob {
            name: "p".into(),
            data: "{}".into(),
            opts: crate::engine::JobOptions::from_json(serde_json::Map::new()).unwrap(),
        })
        .await
        .unwrap();
    // Both sit in active without a lock, having stalled before.
    for id in [&job.id, &plain] {
        let _: () = cmd(&q, redis::cmd("LREM").arg(&k.wait).arg(0).arg(id)).await;
        let _: () = cmd(&q, redis::cmd("LPUSH").arg(&k.active).arg(id)).await;
        let _: () = cmd(&q, redis::cmd("HSET").arg(k.job(id)).arg("stc").arg(3)).await;
    }
    // The first check marks them, the second recovers them (stalled-check
    // lasts 1 ms here).
    check_stalled(&q, 1, 1).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let mut moved = check_stalled(&q, 1, 1).await.unwrap();
    moved.sort();
    let mut expected = vec![job.id.clone(), plain.clone()];
    expected.sort();
    assert_eq!(moved, expected);
    let defa = |id: &str| {
        let key = k.job(id);
        let q = q.clone();
        async move {
            let v: Option<String> = cmd(&q, redis::cmd("HGET").arg(key).arg("defa")).await;
            v
        }
    };
    assert_eq!(defa(&job.id).await, None);
    assert_eq!(
        defa(&plain).await.as_deref(),
        Some("job stalled more than allowable limit")
    );
}

#[tokio::test]
async fn taking_an_iteration_by_hand_creates_the_next_one() {
    let q = fresh_queue("sched-manual");
    q.upsert_job_scheduler(
        "m",
        repeat(json!({ "every": 60000 })),
        JobTemplate::default(),
    )
    .await
    .unwrap();
    let taken = q
        .take_job("tok", &WorkerOptions::default())
        .await
        .unwrap()
        .expect("the first iteration is ready now");
    let v: Value = serde_json::from_str(&taken.json).unwrap();
    let millis: u64 = v["id"]
        .as_str()
        .unwrap()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let s = q.get_job_scheduler("m").await.unwrap().unwrap();
    assert_eq!(s.iteration_count, Some(2));
    assert_eq!(s.next, Some(millis + 60000));
    assert_eq!(zrange(&q, &q.keys().delayed).await.len(), 1);
}
