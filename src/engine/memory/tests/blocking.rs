//! Blocking reads: they wait without holding the store, wake when their key
//! gets data, time out with nil, and leave nothing behind when dropped.

use std::time::Duration;

use redis::Value;

use super::{fresh_store, run, show};

#[tokio::test]
async fn bzpopmin_waits_for_a_zadd() {
    let store = fresh_store("bzpop");
    let (a, b) = (store.connect(), store.connect());
    let waiter = tokio::spawn(async move { run(&a, &["BZPOPMIN", "marker", "0"]).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(!waiter.is_finished(), "blocks while the set is empty");
    // Other commands run while it blocks.
    assert_eq!(run(&b, &["ZADD", "other", "1", "x"]).await, Value::Int(1));
    assert_eq!(run(&b, &["ZADD", "marker", "7", "0"]).await, Value::Int(1));
    let got = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(show(&got), "[\"marker\" \"0\" \"7\"]");
    assert_eq!(run(&b, &["EXISTS", "marker"]).await, Value::Int(0));
}

#[tokio::test]
async fn blocking_reads_time_out_with_nil() {
    let con = fresh_store("timeout").connect();
    assert_eq!(run(&con, &["BZPOPMIN", "m", "0.05"]).await, Value::Nil);
    assert_eq!(run(&con, &["BLPOP", "l", "0.05"]).await, Value::Nil);
    assert_eq!(
        run(&con, &["XREAD", "BLOCK", "50", "STREAMS", "s", "$"]).await,
        Value::Nil
    );
    assert_eq!(show(&run(&con, &["BZPOPMIN", "m", "-1"]).await), "!ERR");
}

#[tokio::test]
async fn xread_block_dollar_sees_only_new_entries() {
    let store = fresh_store("xread");
    let (a, b) = (store.connect(), store.connect());
    run(&b, &["XADD", "ev", "*", "event", "old"]).await;
    let reader =
        tokio::spawn(async move { run(&a, &["XREAD", "BLOCK", "0", "STREAMS", "ev", "$"]).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    run(&b, &["XADD", "ev", "*", "event", "new"]).await;
    let got = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .unwrap()
        .unwrap();
    let text = show(&got);
    assert!(
        text.contains("\"new\"") && !text.contains("\"old\""),
        "{text}"
    );
}

#[tokio::test]
async fn a_list_push_wakes_blpop_and_brpoplpush() {
    let store = fresh_store("blpop");
    let (a, b, c) = (store.connect(), store.connect(), store.connect());
    let pop = tokio::spawn(async move { run(&a, &["BLPOP", "l1", "l2", "0"]).await });
    let mv = tokio::spawn(async move { run(&c, &["BRPOPLPUSH", "src", "dst", "0"]).await });
    tokio::time::sleep(Duration::from_millis(30)).await;
    run(&b, &["RPUSH", "l2", "x"]).await;
    run(&b, &["LPUSH", "src", "y"]).await;
    let got = tokio::time::timeout(Duration::from_secs(5), pop)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(show(&got), "[\"l2\" \"x\"]");
    let got = tokio::time::timeout(Duration::from_secs(5), mv)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(show(&got), "\"y\"");
    assert_eq!(
        show(&run(&b, &["LRANGE", "dst", "0", "-1"]).await),
        "[\"y\"]"
    );
}

#[tokio::test]
async fn a_dropped_wait_unregisters_and_takes_nothing() {
    let store = fresh_store("drop");
    let (a, b) = (store.connect(), store.connect());
    let blocked = run(&a, &["BZPOPMIN", "m", "0"]);
    // Poll it once so it registers, then drop it (as tokio::select! does).
    assert!(
        tokio::time::timeout(Duration::from_millis(20), blocked)
            .await
            .is_err()
    );
    run(&b, &["ZADD", "m", "1", "x"]).await;
    assert_eq!(show(&run(&b, &["ZRANGE", "m", "0", "-1"]).await), "[\"x\"]");
    assert!(
        store.lock().db.is_waiting_empty(),
        "no waiter left registered"
    );
}

#[tokio::test]
async fn blocking_commands_inside_scripts_do_not_block() {
    let con = fresh_store("script-block").connect();
    let r = run(
        &con,
        &["EVAL", "return redis.call('BZPOPMIN', 'm', 0)", "0"],
    )
    .await;
    assert_eq!(r, Value::Nil);
}
