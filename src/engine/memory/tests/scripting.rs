//! Scripts on the embedded store: every project transition compiles, SHA
//! names match redis-rs's, NOSCRIPT sends redis-rs back to SCRIPT LOAD, and a
//! script is atomic and sees time frozen.

use redis::Value;

use super::{fresh_store, run, show};
use crate::engine::connection::Conn;
use crate::engine::scripts::ALL;

#[tokio::test]
async fn every_transition_compiles_on_the_memory_store() {
    let con = fresh_store("compile").connect();
    for t in ALL {
        let sha = run(&con, &["SCRIPT", "LOAD", t.source]).await;
        assert_eq!(
            show(&sha),
            format!("\"{}\"", t.script().get_hash()),
            "{} must load under redis-rs's SHA-1",
            t.name
        );
    }
}

/// A library the store does not provide would fail only when a script runs;
/// catch it here for every transition instead.
#[test]
fn transitions_use_only_libraries_the_store_provides() {
    for t in ALL {
        for lib in ["cmsgpack.", "struct.", "bit.", "os.", "io.", "debug."] {
            assert!(
                !t.source.contains(lib),
                "{} uses {lib}; the memory store provides redis, cjson, string, table and math",
                t.name
            );
        }
    }
}

#[tokio::test]
async fn redis_rs_reloads_a_script_after_noscript() {
    let store = fresh_store("noscript");
    let mut con = Conn::Memory(store.connect());
    let script = redis::Script::new("return {KEYS[1], ARGV[1]}");
    let r: Vec<String> = script
        .key("k")
        .arg("a")
        .invoke_async(&mut con)
        .await
        .unwrap();
    assert_eq!(r, ["k", "a"]);
    let flushed = run(&store.connect(), &["SCRIPT", "FLUSH"]).await;
    assert_eq!(flushed, Value::Okay);
    let r: Vec<String> = script
        .key("k2")
        .arg("b")
        .invoke_async(&mut con)
        .await
        .unwrap();
    assert_eq!(r, ["k2", "b"]);
}

#[tokio::test]
async fn script_errors_carry_codes_and_scripts_are_atomic() {
    let con = fresh_store("atomic").connect();
    // The first write stays (Redis has no rollback), the error reply keeps its code.
    let r = run(
        &con,
        &[
            "EVAL",
            "redis.call('SET', 'a', 'x'); return redis.call('INCR', 'a')",
            "0",
        ],
    )
    .await;
    assert_eq!(show(&r), "!ERR");
    assert_eq!(show(&run(&con, &["GET", "a"]).await), "\"x\"");
    let r = run(&con, &["EVAL", "return redis.call('LPUSH', 'a', 1)", "0"]).await;
    assert_eq!(show(&r), "!WRONGTYPE");
    let r = run(&con, &["EVAL", "local t = nil; return t.x", "0"]).await;
    match r {
        Value::ServerError(e) => assert!(
            e.details().unwrap_or("").contains("user_script:1:"),
            "{e:?}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn time_is_frozen_inside_a_script() {
    let con = fresh_store("frozen").connect();
    // A key set to expire in 1 ms is still there at the end of a script that
    // spins for longer, as in Redis (expiry uses the script's start time).
    let r = run(
        &con,
        &[
            "EVAL",
            "redis.call('SET', 'k', 'v', 'PX', 1); local t = os_clock_free_spin(); return redis.call('EXISTS', 'k')",
            "0",
        ],
    )
    .await;
    assert_eq!(show(&r), "!ERR", "unknown globals fail loudly");
    let r = run(
        &con,
        &[
            "EVAL",
            "redis.call('SET', 'k', 'v', 'PX', 1); local x = 0; for i = 1, 3000000 do x = x + i end; return redis.call('EXISTS', 'k')",
            "0",
        ],
    )
    .await;
    assert_eq!(r, Value::Int(1));
}
