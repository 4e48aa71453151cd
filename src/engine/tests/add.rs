//! add / add_bulk leave exactly BullMQ's keys behind.

use serde_json::json;

use super::support::{cmd, fresh_queue};
use crate::engine::{JobOptions, NewJob};

fn new_job(name: &str, data: serde_json::Value, opts: serde_json::Value) -> NewJob {
    NewJob {
        name: name.into(),
        data: data.to_string(),
        opts: JobOptions::from_json(opts.as_object().unwrap().clone()).unwrap(),
    }
}

#[tokio::test]
async fn plain_add_writes_hash_wait_marker_and_events() {
    let q = fresh_queue("add");
    let id = q
        .add(new_job("email", json!({"to": "a@b.c"}), json!({})))
        .await
        .unwrap();
    assert_eq!(id, "1");
    let k = q.keys().clone();
    let wait: Vec<String> = cmd(&q, redis::cmd("LRANGE").arg(&k.wait).arg(0).arg(-1)).await;
    assert_eq!(wait, vec!["1"]);
    let marker: Vec<String> = cmd(
        &q,
        redis::cmd("ZRANGE")
            .arg(&k.marker)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES"),
    )
    .await;
    assert_eq!(marker, vec!["0", "0"]);
    let job = q.get_job("1").await.unwrap().unwrap();
    assert_eq!(job.name, "email");
    assert_eq!(job.data, r#"{"to":"a@b.c"}"#);
    assert_eq!(job.opts, r#"{"attempts":0}"#);
    assert_eq!(job.delay, 0);
    assert_eq!(job.priority, 0);
    let events: Vec<redis::Value> =
        cmd(&q, redis::cmd("XRANGE").arg(&k.events).arg("-").arg("+")).await;
    assert_eq!(events.len(), 2, "added + waiting");
    let meta: Vec<String> = cmd(&q, redis::cmd("HGETALL").arg(&k.meta)).await;
    assert!(meta.contains(&"opts.maxLenEvents".to_string()));
    let counter: String = cmd(&q, redis::cmd("GET").arg(&k.id)).await;
    assert_eq!(counter, "1");
}

#[tokio::test]
async fn delayed_and_prioritized_use_bullmq_scores() {
    let q = fresh_queue("scores");
    let k = q.keys().clone();
    q.add(new_job(
        "d",
        json!({}),
        json!({"delay": 5000, "timestamp": 1_795_385_077_718u64}),
    ))
    .await
    .unwrap();
    let score: String = cmd(&q, redis::cmd("ZSCORE").arg(&k.delayed).arg("1")).await;
    // (1795385077718 + 5000) * 4096
    assert_eq!(score, "7353897298812928");
    q.add(new_job("p", json!({}), json!({"priority": 5})))
        .await
        .unwrap();
    q.add(new_job("p", json!({}), json!({"priority": 5})))
        .await
        .unwrap();
    q.add(new_job("p", json!({}), json!({"priority": 1})))
        .await
        .unwrap();
    let pr: Vec<(String, f64)> = cmd(
        &q,
        redis::cmd("ZRANGE")
            .arg(&k.prioritized)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES"),
    )
    .await;
    assert_eq!(
        pr,
        vec![
            ("4".into(), 4294967299.0),
            ("2".into(), 21474836481.0),
            ("3".into(), 21474836482.0)
        ]
    );
    let marker: f64 = cmd::<Option<f64>>(&q, redis::cmd("ZSCORE").arg(&k.marker).arg("1"))
        .await
        .unwrap();
    assert_eq!(marker.floor() as u64, 1_795_385_082_718);
}

#[tokio::test]
async fn custom_id_is_idempotent_and_still_counts() {
    let q = fresh_queue("idem");
    let a = q
        .add(new_job("x", json!({"n": 1}), json!({"jobId": "user-7"})))
        .await
        .unwrap();
    let b = q
        .add(new_job("x", json!({"n": 2}), json!({"jobId": "user-7"})))
        .await
        .unwrap();
    assert_eq!((a.as_str(), b.as_str()), ("user-7", "user-7"));
    assert_eq!(
        q.get_job("user-7").await.unwrap().unwrap().data,
        r#"{"n":1}"#
    );
    let counter: String = cmd(&q, redis::cmd("GET").arg(&q.keys().id)).await;
    assert_eq!(counter, "2");
    let counts = q.get_job_counts(&["waiting".into()]).await.unwrap();
    assert_eq!(counts[0].1, 1);
}

#[tokio::test]
async fn add_bulk_is_one_call_and_keeps_order() {
    let q = fresh_queue("bulk");
    let jobs = (0..100)
        .map(|i| new_job("b", json!({ "i": i }), json!({})))
        .collect();
    let ids = q.add_bulk(jobs).await.unwrap();
    assert_eq!(ids.len(), 100);
    assert_eq!(ids[0], "1");
    let waiting = q.get_jobs(&["waiting".into()], 0, -1, true).await.unwrap();
    assert_eq!(waiting.first().unwrap().id, "1", "ascending = oldest first");
}

#[tokio::test]
async fn lifo_jobs_run_first() {
    let q = fresh_queue("lifo");
    q.add(new_job("a", json!({}), json!({}))).await.unwrap();
    q.add(new_job("b", json!({}), json!({"lifo": true})))
        .await
        .unwrap();
    let tail: String = cmd(&q, redis::cmd("LINDEX").arg(&q.keys().wait).arg(-1)).await;
    assert_eq!(tail, "2");
}

#[tokio::test]
async fn dedup_simple_mode_returns_existing_id() {
    let q = fresh_queue("dedup");
    let a = q
        .add(new_job(
            "x",
            json!({}),
            json!({"deduplication": {"id": "u1"}}),
        ))
        .await
        .unwrap();
    let b = q
        .add(new_job(
            "x",
            json!({}),
            json!({"deduplication": {"id": "u1"}}),
        ))
        .await
        .unwrap();
    assert_eq!(a, b);
    let owner: String = cmd(&q, redis::cmd("GET").arg(q.keys().dedup("u1"))).await;
    assert_eq!(owner, a);
}

#[tokio::test]
async fn pause_resume_and_state() {
    let q = fresh_queue("pause");
    q.pause().await.unwrap();
    assert!(q.is_paused().await.unwrap());
    let id = q.add(new_job("x", json!({}), json!({}))).await.unwrap();
    assert_eq!(q.get_state(&id).await.unwrap(), "waiting");
    let marker: u64 = cmd(&q, redis::cmd("EXISTS").arg(&q.keys().marker)).await;
    assert_eq!(marker, 0, "no marker while paused");
    q.resume().await.unwrap();
    assert!(!q.is_paused().await.unwrap());
    let marker: u64 = cmd(&q, redis::cmd("EXISTS").arg(&q.keys().marker)).await;
    assert_eq!(marker, 1);
}

#[tokio::test]
async fn progress_logs_and_remove() {
    let q = fresh_queue("misc");
    let id = q
        .add(new_job("x", json!({}), json!({"keepLogs": 2})))
        .await
        .unwrap();
    q.update_progress(&id, "42").await.unwrap();
    assert_eq!(
        q.get_job(&id).await.unwrap().unwrap().progress.as_deref(),
        Some("42")
    );
    for l in ["a", "b", "c"] {
        q.add_log(&id, l, Some(2)).await.unwrap();
    }
    let (logs, n) = q.get_job_logs(&id, 0, -1, true).await.unwrap();
    assert_eq!((logs, n), (vec!["b".to_string(), "c".to_string()], 2));
    assert!(q.remove(&id).await.unwrap());
    assert!(q.get_job(&id).await.unwrap().is_none());
    assert_eq!(q.get_state(&id).await.unwrap(), "unknown");
    assert!(matches!(
        q.update_progress(&id, "1").await,
        Err(crate::engine::Error::JobNotFound { .. })
    ));
}

/// The lane's template of a lone add, filled in, is byte for byte what the
/// engine encodes for that add (names and data of any bytes, any options a
/// template covers); options that vary per job have no template.
#[tokio::test]
async fn lane_template_fills_to_the_encoded_add() {
    let q = fresh_queue("lanetpl");
    let bulk = |x: &str| format!("${}\r\n{x}\r\n", x.len());
    let options = [
        json!({"attempts": 0}),
        json!({"attempts": 3, "backoff": {"type": "exponential", "delay": 50}, "removeOnComplete": true}),
        json!({"delay": 2500, "priority": 7, "lifo": true}),
        json!({"deduplication": {"id": "d-é", "ttl": 100}, "sizeLimit": 64}),
    ];
    for opts in options {
        let t = q.lane_template(&opts.to_string()).expect("a template");
        for (name, data, ts) in [
            ("j", r#"{"i":1}"#, 1_796_000_000_123u64),
            ("", "", 1),
            ("é \r\n名前", r#"{"s":"ü$\r\n*"}"#, 9_007_199_254_740_991),
        ] {
            let mut job = new_job(name, json!(null), opts.clone());
            job.data = data.into();
            job.opts.timestamp = Some(ts);
            let want = String::from_utf8(q.lane_encode(&[job], 5).unwrap()).unwrap();
            let got = format!(
                "{}{}{}{}{}{}",
                t.head,
                bulk(name),
                bulk(data),
                t.mid,
                bulk(&ts.to_string()),
                t.tail
            );
            assert_eq!(got, want, "options {opts}");
        }
    }
    let plain = q.lane_template(r#"{"attempts":0}"#).unwrap();
    assert!(plain.mid.ends_with("$14\r\n{\"attempts\":0}\r\n"));
    let queue_max = crate::engine::QueueOptions::default().max_data_bytes as u64;
    assert_eq!(plain.max_data_bytes, queue_max);
    assert_eq!(
        q.lane_template(r#"{"sizeLimit":10}"#)
            .unwrap()
            .max_data_bytes,
        10.min(queue_max)
    );
    for per_job in [
        json!({"jobId": "a"}),
        json!({"timestamp": 5}),
        json!({"parent": {"id": "1", "queue": "bull:p"}}),
        json!({"delay": -1}),
    ] {
        assert!(q.lane_template(&per_job.to_string()).is_none(), "{per_job}");
    }
    assert!(q.lane_template("not json").is_none());
}
