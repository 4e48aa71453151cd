//! The redis-rs bridge: typed replies, pipelines (plain and MULTI/EXEC),
//! CLIENT SETNAME/LIST, SCAN under changes, and INFO.

use std::collections::HashSet;

use redis::AsyncCommands;

use super::fresh_store;
use crate::engine::connection::Conn;

#[tokio::test]
async fn typed_replies_and_pipelines() {
    let store = fresh_store("rs");
    let mut con = Conn::Memory(store.connect());
    let _: () = con.hset("h", "a", 1).await.unwrap();
    let v: Option<u64> = con.hget("h", "a").await.unwrap();
    assert_eq!(v, Some(1));
    let (a, missing, n): (String, Option<String>, u64) = redis::pipe()
        .cmd("HGET")
        .arg("h")
        .arg("a")
        .cmd("GET")
        .arg("nope")
        .cmd("LPUSH")
        .arg("l")
        .arg("x")
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!((a.as_str(), missing, n), ("1", None, 1));
    let (x, y): (u64, u64) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg("c")
        .cmd("INCR")
        .arg("c")
        .query_async(&mut con)
        .await
        .unwrap();
    assert_eq!((x, y), (1, 2));
    let e = redis::pipe()
        .cmd("SET")
        .arg("s")
        .arg("v")
        .cmd("LPUSH")
        .arg("s")
        .arg("x")
        .query_async::<()>(&mut con)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("WRONGTYPE"), "{e}");
}

#[tokio::test]
async fn client_names_show_in_client_list_until_dropped() {
    let store = fresh_store("clients");
    let mut admin = Conn::Memory(store.connect());
    let named = store.connect_named("bull:q:w:1").unwrap();
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut admin)
        .await
        .unwrap();
    assert!(
        list.lines().any(|l| l.contains(" name=bull:q:w:1 ")),
        "{list}"
    );
    assert_eq!(list.lines().count(), 2);
    drop(named);
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(&mut admin)
        .await
        .unwrap();
    assert!(!list.contains("bull:q:w:1"), "{list}");
    assert!(
        store.connect_named("has space").is_err(),
        "Redis refuses spaces too"
    );
    let info: String = redis::cmd("INFO").query_async(&mut admin).await.unwrap();
    assert!(info.contains("redis_version:7."), "{info}");
}

#[tokio::test]
async fn scan_returns_every_key_that_lives_through_the_scan() {
    let store = fresh_store("scan");
    let mut con = Conn::Memory(store.connect());
    for i in 0..500 {
        let _: () = con.set(format!("bull:q{}:meta", i % 50), i).await.unwrap();
        let _: () = con.set(format!("other:{i}"), i).await.unwrap();
    }
    let mut seen = HashSet::new();
    let mut cursor = 0u64;
    let mut rounds = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg("bull:*:meta")
            .arg("COUNT")
            .arg(37)
            .query_async(&mut con)
            .await
            .unwrap();
        // Churn while scanning: add and remove other keys.
        let _: () = con.set(format!("churn:{rounds}"), 1).await.unwrap();
        let _: () = con.del(format!("other:{rounds}")).await.unwrap();
        seen.extend(keys);
        rounds += 1;
        if next == 0 {
            break;
        }
        cursor = next;
    }
    assert_eq!(seen.len(), 50);
    assert!(rounds > 1, "COUNT limits each batch");
}
