//! Flows: a tree across queues added atomically in BullMQ's layout; parents
//! wait for their children and run with their values; the failure flags; the
//! parent of a removed or cleaned child; reading a flow back.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::process::start_worker;
use super::support::{cmd, connection, eventually, fresh_queue};
use crate::engine::flow::{FlowJob, FlowProducer};
use crate::engine::{ErrorCode, JobOptions, NewJob, Queue, WorkerOptions};

pub(super) fn node(name: &str, q: &Queue, opts: Value, children: Vec<FlowJob>) -> FlowJob {
    FlowJob {
        name: name.into(),
        queue_name: q.name().into(),
        prefix: None,
        data: json!({ "n": name }).to_string(),
        opts: opts.as_object().unwrap().clone(),
        children,
    }
}

pub(super) fn producer() -> FlowProducer {
    FlowProducer::new(&connection(), "bull").unwrap()
}

pub(super) async fn smembers(q: &Queue, key: &str) -> HashSet<String> {
    cmd(q, redis::cmd("SMEMBERS").arg(key)).await
}

pub(super) async fn state(q: &Queue, id: &str) -> String {
    q.get_state(id).await.unwrap()
}

/// Runs a worker on `q` whose jobs named `fail*` throw and the rest return their name.
pub(super) fn run(q: &Queue) -> crate::engine::Worker {
    start_worker(
        q,
        WorkerOptions::default(),
        Box::new(|j| {
            if j.name.starts_with("fail") {
                Err(format!("{} failed", j.name))
            } else {
                Ok(json!(format!("done {}", j.name)).to_string())
            }
        }),
    )
    .0
}

#[tokio::test]
async fn a_tree_across_queues_is_stored_as_bullmq_lays_it_out() {
    let (parents, children) = (fresh_queue("flow-p"), fresh_queue("flow-c"));
    let fp = producer();
    let nodes = fp
        .add(node(
            "root",
            &parents,
            json!({ "priority": 3 }),
            vec![
                node(
                    "c1",
                    &children,
                    json!({ "failParentOnFailure": true }),
                    vec![],
                ),
                node(
                    "c2",
                    &parents,
                    json!({ "jobId": "mid", "delay": 5000 }),
                    vec![node(
                        "gc",
                        &children,
                        json!({ "ignoreDependencyOnFailure": true }),
                        vec![],
                    )],
                ),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(nodes.len(), 4);
    let (root, c1, mid, gc) = (&nodes[0], &nodes[1], &nodes[2], &nodes[3]);
    assert_eq!(root.id.len(), 36, "a UUID");
    assert_eq!(mid.id, "mid");
    assert_eq!(
        (c1.parent, mid.parent, gc.parent),
        (Some(0), Some(0), Some(2))
    );
    let (pk, ck) = (parents.keys(), children.keys());
    assert_eq!(state(&parents, &root.id).await, "waiting-children");
    assert_eq!(state(&parents, "mid").await, "waiting-children");
    assert_eq!(state(&children, &c1.id).await, "waiting");
    assert_eq!(
        smembers(&parents, &pk.dependencies(&root.id)).await,
        HashSet::from([pk.job("mid"), ck.job(&c1.id)])
    );
    assert_eq!(
        smembers(&parents, &pk.dependencies("mid")).await,
        HashSet::from([ck.job(&gc.id)])
    );
    let child: HashMap<String, String> =
        cmd(&parents, redis::cmd("HGETALL").arg(ck.job(&c1.id))).await;
    assert_eq!(child["parentKey"], pk.job(&root.id));
    let parent: Value = serde_json::from_str(&child["parent"]).unwrap();
    assert_eq!(
        parent,
        json!({ "id": root.id, "queueKey": pk.qualified(), "fpof": true })
    );
    let opts: Value = serde_json::from_str(&child["opts"]).unwrap();
    assert_eq!(
        opts["parent"],
        json!({ "id": root.id, "queue": pk.qualified() })
    );
    assert_eq!(opts["fpof"], json!(true));
    let gc_job = children.get_job(&gc.id).await.unwrap().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(gc_job.parent.as_deref().unwrap()).unwrap()["idof"],
        json!(true)
    );
    let ids: i64 = cmd(&parents, redis::cmd("GET").arg(&pk.id)).await;
    assert_eq!(ids, 2, "every add counts in `id`");
}

#[tokio::test]
async fn a_parent_runs_once_its_last_child_completes_with_their_values() {
    let (parents, children) = (fresh_queue("flow-run-p"), fresh_queue("flow-run-c"));
    let fp = producer();
    let nodes = fp
        .add(node(
            "root",
            &parents,
            json!({}),
            vec![
                node("a", &children, json!({}), vec![]),
                node("b", &children, json!({}), vec![]),
            ],
        ))
        .await
        .unwrap();
    let root = nodes[0].id.clone();
    let child_worker = run(&children);
    let values = eventually(|| async {
        let v = parents.get_children_values(&root).await.unwrap();
        (v.len() == 2).then_some(v)
    })
    .await;
    let values: HashMap<String, String> = values.into_iter().collect();
    assert_eq!(values[&children.keys().job(&nodes[1].id)], "\"done a\"");
    assert_eq!(state(&parents, &root).await, "waiting");
    let parent_worker = run(&parents);
    eventually(|| async { (state(&parents, &root).await == "completed").then_some(()) }).await;
    let counts = parents
        .get_dependencies_count(&root, &["processed".into(), "unprocessed".into()])
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![("processed".into(), 2), ("unprocessed".into(), 0)]
    );
    child_worker.close(false).await;
    parent_worker.close(false).await;
}

#[tokio::test]
async fn failure_flags_decide_what_the_parent_does() {
    let q = fresh_queue("flow-flags");
    let fp = producer();
    let mut roots = HashMap::new();
    for flag in [
        "failParentOnFailure",
        "ignoreDependencyOnFailure",
        "removeDependencyOnFailure",
        "continueParentOnFailure",
        "none",
    ] {
        let mut opts = json!({});
        if flag != "none" {
            opts[flag] = json!(true);
        }
        // Each parent also has a child that never runs (it is delayed).
        let nodes = fp
            .add(node(
                &format!("parent-{flag}"),
                &q,
                json!({ "delay": 0 }),
                vec![
                    node("fail-child", &q, opts, vec![]),
                    node("later", &q, json!({ "delay": 3_600_000 }), vec![]),
                ],
            ))
            .await
            .unwrap();
        roots.insert(
            flag,
            (
                nodes[0].id.clone(),
                nodes[1].id.clone(),
                nodes[2].id.clone(),
            ),
        );
    }
    // Only the failing children run first: parents are gated by the delayed child.
    let w = run(&q);
    eventually(|| async {
        (q.get_job_counts(&["failed".into()]).await.unwrap()[0].1 >= 5).then_some(())
    })
    .await;
    let k = q.keys();
    // fpof: the parent fails as soon as the child does, with BullMQ's reason.
    let (root, child, _) = &roots["failParentOnFailure"];
    eventually(|| async { (state(&q, root).await == "failed").then_some(()) }).await;
    let parent = q.get_job(root).await.unwrap().unwrap();
    assert_eq!(
        parent.failed_reason.as_deref(),
        Some(format!("child {} failed", k.job(child)).as_str())
    );
    let unsuccessful: Vec<String> = cmd(
        &q,
        redis::cmd("ZRANGE")
            .arg(k.unsuccessful(root))
            .arg(0)
            .arg(-1),
    )
    .await;
    assert_eq!(unsuccessful, vec![k.job(child)]);
    // idof / rdof: the failed child no longer counts, the other still pending keeps the parent waiting.
    for flag in [
        "ignoreDependencyOnFailure",
        "removeDependencyOnFailure",
        "none",
    ] {
        let (root, child, later) = &roots[flag];
        assert_eq!(state(&q, root).await, "waiting-children", "{flag}");
        let pending = smembers(&q, &k.dependencies(root)).await;
        let expected = if flag == "none" {
            HashSet::from([k.job(child), k.job(later)])
        } else {
            HashSet::from([k.job(later)])
        };
        assert_eq!(pending, expected, "{flag}");
        let ignored = q.get_ignored_children_failures(root).await.unwrap();
        if flag == "ignoreDependencyOnFailure" {
            assert_eq!(
                ignored,
                vec![(k.job(child), "fail-child failed".to_string())]
            );
        } else {
            assert!(ignored.is_empty(), "{flag}");
        }
    }
    // cpof: the parent runs now, whatever else is pending, and completes? No:
    // it still has a pending child, so completing it is refused and it fails.
    let (root, child, _) = &roots["continueParentOnFailure"];
    eventually(|| async { (state(&q, root).await == "failed").then_some(()) }).await;
    let parent = q.get_job(root).await.unwrap().unwrap();
    assert_eq!(
        parent.failed_reason.as_deref(),
        Some(format!("Job {root} has pending dependencies. moveToFinished").as_str())
    );
    assert_eq!(
        q.get_ignored_children_failures(root).await.unwrap()[0].0,
        k.job(child)
    );
    w.close(false).await;
}

#[tokio::test]
async fn queue_add_with_a_parent_joins_its_dependencies() {
    let q = fresh_queue("flow-add");
    let fp = producer();
    let root = fp
        .add(node(
            "root",
            &q,
            json!({}),
            vec![node("c", &q, json!({ "delay": 3_600_000 }), vec![])],
        ))
        .await
        .unwrap()[0]
        .id
        .clone();
    let opts = |v: Value| JobOptions::from_json(v.as_object().unwrap().clone()).unwrap();
    let parent = json!({ "id": root, "queue": q.keys().qualified() });
    let ids = q
        .add_bulk(vec![
            NewJob {
                name: "plain".into(),
                data: "{}".into(),
                opts: opts(json!({})),
            },
            NewJob {
                name: "kid".into(),
                data: "{}".into(),
                opts: opts(json!({ "parent": parent, "jobId": "kid" })),
            },
        ])
        .await
        .unwrap();
    // Counter ids follow input order: root and its child took 1 and 2.
    assert_eq!(ids, vec!["3".to_string(), "kid".to_string()]);
    assert!(
        smembers(&q, &q.keys().dependencies(&root))
            .await
            .contains(&q.keys().job("kid"))
    );
    let e = q
        .add(NewJob {
            name: "orphan".into(),
            data: "{}".into(),
            opts: opts(json!({ "parent": { "id": "nope", "queue": q.keys().qualified() } })),
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ParentNotFound);
    assert_eq!(
        e.to_string(),
        format!(
            "Missing key for parent job {}. addJob",
            q.keys().job("nope")
        )
    );
}
