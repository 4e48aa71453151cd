//! Key expiry: keys vanish once due, whether read again or not.

use std::time::Duration;

use redis::Value;

use super::{fresh_store, run};

#[tokio::test]
async fn expired_keys_are_gone_on_access_and_from_the_keyspace() {
    let store = fresh_store("expiry");
    let con = store.connect();
    assert_eq!(run(&con, &["SET", "a", "1", "PX", "30"]).await, Value::Okay);
    assert_eq!(run(&con, &["SET", "b", "1", "PX", "30"]).await, Value::Okay);
    assert_eq!(run(&con, &["HSET", "h", "f", "v"]).await, Value::Int(1));
    assert_eq!(run(&con, &["PEXPIRE", "h", "30"]).await, Value::Int(1));
    assert_eq!(run(&con, &["SET", "keep", "1"]).await, Value::Okay);
    let pttl = run(&con, &["PTTL", "a"]).await;
    assert!(
        matches!(pttl, Value::Int(n) if (1..=30).contains(&n)),
        "{pttl:?}"
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(run(&con, &["GET", "a"]).await, Value::Nil);
    assert_eq!(run(&con, &["PTTL", "a"]).await, Value::Int(-2));
    // Nobody reads "b" or "h": any command sweeps them out all the same.
    assert_eq!(run(&con, &["DBSIZE"]).await, Value::Int(1));
    assert_eq!(
        run(&con, &["KEYS", "*"]).await,
        Value::Array(vec![Value::BulkString(b"keep".to_vec())])
    );
}

#[tokio::test]
async fn set_keeps_or_drops_the_ttl_as_redis_does() {
    let con = fresh_store("ttl").connect();
    run(&con, &["SET", "k", "1", "PX", "100000"]).await;
    run(&con, &["INCR", "k"]).await;
    assert!(
        matches!(run(&con, &["PTTL", "k"]).await, Value::Int(n) if n > 0),
        "INCR keeps it"
    );
    run(&con, &["SET", "k", "3", "KEEPTTL"]).await;
    assert!(
        matches!(run(&con, &["PTTL", "k"]).await, Value::Int(n) if n > 0),
        "KEEPTTL keeps it"
    );
    run(&con, &["SET", "k", "4"]).await;
    assert_eq!(
        run(&con, &["PTTL", "k"]).await,
        Value::Int(-1),
        "plain SET drops it"
    );
    run(&con, &["SET", "r", "1", "PX", "100000"]).await;
    run(&con, &["RENAME", "r", "r2"]).await;
    assert!(
        matches!(run(&con, &["PTTL", "r2"]).await, Value::Int(n) if n > 0),
        "RENAME moves it"
    );
}
