//! Flows, continued: removing and cleaning jobs of a flow, reading a flow
//! back, retrying a child, and a running parent waiting for children it added.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::flow::{node, producer, run, smembers, state};
use super::support::{cmd, eventually, fresh_queue};
use crate::engine::flow::{DependencyPage, DependencyQuery};
use crate::engine::{ErrorCode, JobOptions, NewJob};

#[tokio::test]
async fn removing_jobs_of_a_flow() {
    let (q, other) = (fresh_queue("flow-rm"), fresh_queue("flow-rm-o"));
    let fp = producer();
    let add = || {
        fp.add(node(
            "root",
            &q,
            json!({}),
            vec![
                node("a", &q, json!({}), vec![]),
                node(
                    "b",
                    &other,
                    json!({}),
                    vec![node("gb", &other, json!({}), vec![])],
                ),
            ],
        ))
    };
    let nodes = add().await.unwrap();
    // Removing the parent removes every child, in any queue.
    assert!(q.remove(&nodes[0].id).await.unwrap());
    for n in &nodes {
        let queue = if n.queue_name == q.name() { &q } else { &other };
        assert!(queue.get_job(&n.id).await.unwrap().is_none(), "{}", n.id);
    }
    // Removing the last pending child releases the parent to wait.
    let nodes = add().await.unwrap();
    assert!(q.remove(&nodes[1].id).await.unwrap());
    assert_eq!(state(&q, &nodes[0].id).await, "waiting-children");
    assert!(other.remove_job(&nodes[2].id, true).await.unwrap());
    assert_eq!(state(&q, &nodes[0].id).await, "waiting");
    // clean: a parent in the same queue goes with its last cleaned child.
    let nodes = fp
        .add(node(
            "p",
            &other,
            json!({}),
            vec![node("c", &other, json!({}), vec![])],
        ))
        .await
        .unwrap();
    let cleaned = other.clean(0, 100, "wait").await.unwrap();
    assert!(cleaned.contains(&nodes[1].id));
    assert!(other.get_job(&nodes[0].id).await.unwrap().is_none());
}

#[tokio::test]
async fn get_flow_reads_the_tree_back() {
    let (q, other) = (fresh_queue("flow-get"), fresh_queue("flow-get-o"));
    let fp = producer();
    let nodes = fp
        .add(node(
            "root",
            &q,
            json!({}),
            vec![
                node(
                    "a",
                    &other,
                    json!({}),
                    vec![node("aa", &q, json!({}), vec![])],
                ),
                node("b", &q, json!({}), vec![]),
            ],
        ))
        .await
        .unwrap();
    let tree = fp
        .get_flow(&nodes[0].id, q.name(), None, 10, 20)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tree.job.name, "root");
    let kids = tree.children.unwrap();
    let names: HashSet<String> = kids
        .iter()
        .map(|k| k.as_ref().unwrap().job.name.clone())
        .collect();
    assert_eq!(names, HashSet::from(["a".to_string(), "b".to_string()]));
    let a = kids.iter().flatten().find(|k| k.job.name == "a").unwrap();
    assert_eq!(a.queue_name, other.name());
    assert_eq!(
        a.children.as_ref().unwrap()[0].as_ref().unwrap().job.name,
        "aa"
    );
    let shallow = fp
        .get_flow(&nodes[0].id, q.name(), None, 1, 20)
        .await
        .unwrap()
        .unwrap();
    assert!(shallow.children.is_none());
    assert!(
        fp.get_flow("missing", q.name(), None, 10, 20)
            .await
            .unwrap()
            .is_none()
    );
    let page = q
        .get_dependencies(
            &nodes[0].id,
            DependencyQuery {
                unprocessed: Some(DependencyPage {
                    cursor: 0,
                    count: 10,
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.unprocessed.unwrap().len(), 2);
    assert_eq!(page.next_unprocessed_cursor, Some(0));
    assert!(page.processed.is_none());
}

#[tokio::test]
async fn a_retried_child_is_pending_for_its_parent_again() {
    let q = fresh_queue("flow-retry");
    let fp = producer();
    let nodes = fp
        .add(node(
            "root",
            &q,
            json!({}),
            vec![
                node(
                    "fail-c",
                    &q,
                    json!({ "ignoreDependencyOnFailure": true }),
                    vec![],
                ),
                node("later", &q, json!({ "delay": 3_600_000 }), vec![]),
            ],
        ))
        .await
        .unwrap();
    let (root, child) = (&nodes[0].id, &nodes[1].id);
    let w = run(&q);
    eventually(|| async { (state(&q, child).await == "failed").then_some(()) }).await;
    w.close(false).await;
    let k = q.keys();
    assert!(
        !smembers(&q, &k.dependencies(root))
            .await
            .contains(&k.job(child))
    );
    q.retry_job(child, "failed", false, false).await.unwrap();
    assert!(
        smembers(&q, &k.dependencies(root))
            .await
            .contains(&k.job(child))
    );
    assert!(
        q.get_ignored_children_failures(root)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_active_parent_can_wait_for_children_it_added() {
    use crate::engine::transitions::move_to_waiting_children::MoveToWaitingChildren;
    let q = fresh_queue("flow-wait");
    let k = q.keys().clone();
    let opts = |v: Value| JobOptions::from_json(v.as_object().unwrap().clone()).unwrap();
    let id = q
        .add(NewJob {
            name: "p".into(),
            data: "{}".into(),
            opts: opts(json!({})),
        })
        .await
        .unwrap();
    // As if a worker held it.
    let _: () = cmd(&q, redis::cmd("LREM").arg(&k.wait).arg(0).arg(&id)).await;
    let _: () = cmd(&q, redis::cmd("LPUSH").arg(&k.active).arg(&id)).await;
    let _: () = cmd(&q, redis::cmd("SET").arg(k.lock(&id)).arg("tok")).await;
    let wait = |token: &'static str| MoveToWaitingChildren {
        job_id: &id,
        token,
        child_key: None,
        now: 1,
    };
    assert!(
        !wait("tok").run(&q).await.unwrap(),
        "no child yet: nothing to wait for"
    );
    q.add(NewJob {
        name: "c".into(),
        data: "{}".into(),
        opts: opts(json!({ "parent": { "id": id, "queue": k.qualified() } })),
    })
    .await
    .unwrap();
    assert_eq!(
        wait("other").run(&q).await.unwrap_err().code(),
        ErrorCode::LockMismatch
    );
    assert!(wait("tok").run(&q).await.unwrap());
    assert_eq!(state(&q, &id).await, "waiting-children");
    let lock: Option<String> = cmd(&q, redis::cmd("GET").arg(k.lock(&id))).await;
    assert!(lock.is_none());
    // Its child completes: it runs again.
    let w = run(&q);
    eventually(|| async { (state(&q, &id).await == "completed").then_some(()) }).await;
    assert_eq!(q.get_children_values(&id).await.unwrap()[0].1, "\"done c\"");
    w.close(false).await;
}

#[tokio::test]
async fn a_lone_job_with_deduplication_is_deduplicated() {
    let q = fresh_queue("flow-dedup");
    let fp = producer();
    let lone = || {
        node(
            "once",
            &q,
            json!({ "deduplication": { "id": "d1" } }),
            vec![],
        )
    };
    let first = fp.add(lone()).await.unwrap();
    let second = fp.add(lone()).await.unwrap();
    assert_eq!(first[0].id.len(), 36, "a UUID");
    assert_eq!(second[0].id, first[0].id, "the dedup id kept the first job");
    let owner: Option<String> = cmd(&q, redis::cmd("GET").arg(q.keys().dedup("d1"))).await;
    assert_eq!(owner.as_deref(), Some(first[0].id.as_str()));
    assert_eq!(q.get_job_counts(&["waiting".into()]).await.unwrap()[0].1, 1);
    // With children, deduplication is refused as bullmq refuses it.
    let e = fp
        .add(node(
            "p",
            &q,
            json!({ "deduplication": { "id": "d2" } }),
            vec![node("c", &q, json!({}), vec![])],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidOption);
    assert!(
        e.to_string()
            .contains("Deduplication options cannot be used on flow nodes with children"),
        "{e}"
    );
}

#[tokio::test]
async fn a_child_leaves_its_parent_and_pending_children_are_removed() {
    let (q, other) = (fresh_queue("flow-unlink"), fresh_queue("flow-unlink-o"));
    let fp = producer();
    let later = json!({"delay": 3_600_000});
    let nodes = fp
        .add(node(
            "root",
            &q,
            json!({}),
            vec![
                node("a", &other, later.clone(), vec![]),
                node("b", &other, later.clone(), vec![]),
            ],
        ))
        .await
        .unwrap();
    let (root, a, b) = (&nodes[0].id, &nodes[1].id, &nodes[2].id);
    let root_key = q.keys().job(root);
    // remove_child_dependency: the child stays, without its parent fields.
    assert!(other.remove_child_dependency(a, &root_key).await.unwrap());
    assert!(!other.remove_child_dependency(a, &root_key).await.unwrap());
    let fields: Vec<Option<String>> = cmd(
        &other,
        redis::cmd("HMGET")
            .arg(other.keys().job(a))
            .arg("parentKey")
            .arg("parent"),
    )
    .await;
    assert_eq!(fields, vec![None, None]);
    assert_eq!(state(&other, a).await, "delayed");
    assert_eq!(state(&q, root).await, "waiting-children");
    // The last one leaving releases the parent.
    assert!(other.remove_child_dependency(b, &root_key).await.unwrap());
    assert_eq!(state(&q, root).await, "waiting");
    let missing = other.remove_child_dependency("nope", &root_key).await;
    assert_eq!(missing.unwrap_err().code(), ErrorCode::JobNotFound);
    let orphan = other
        .remove_child_dependency(a, "bull:gone:1")
        .await
        .unwrap_err();
    assert_eq!(orphan.code(), ErrorCode::ParentNotFound);
    assert_eq!(
        orphan.to_string(),
        "Missing key for parent job bull:gone:1. removeChildDependency"
    );

    // remove_unprocessed_children: pending children and theirs go.
    let nodes = fp
        .add(node(
            "root",
            &q,
            json!({}),
            vec![
                node("x", &other, later.clone(), vec![]),
                node(
                    "y",
                    &other,
                    json!({}),
                    vec![node("yy", &q, later.clone(), vec![])],
                ),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(
        q.remove_unprocessed_children(&nodes[0].id).await.unwrap(),
        3
    );
    for n in &nodes[1..] {
        let queue = if n.queue_name == q.name() { &q } else { &other };
        assert!(queue.get_job(&n.id).await.unwrap().is_none(), "{}", n.id);
    }
    assert_eq!(state(&q, &nodes[0].id).await, "waiting");
    assert_eq!(
        q.remove_unprocessed_children(&nodes[0].id).await.unwrap(),
        0
    );
}
