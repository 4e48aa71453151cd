//! Scripts with many arguments, many results and long `unpack` lists behave on
//! the embedded store as on redis-server 7.0: ARGV and KEYS of any length, a
//! reply of any length, and `unpack` of up to Lua 5.1's limit (just under 8000
//! values) into one `redis.call`; one more is the same error on both.

use redis::Value;

use super::{fresh_store, show};
use crate::engine::tests::support::redis_url;

/// Runs `words` on redis-server and on a fresh store; returns both replies as text.
async fn both(words: Vec<String>) -> (String, String) {
    let client = redis::Client::open(redis_url()).unwrap();
    // No time limits: a loaded machine may take seconds over 300,000 arguments.
    let config = redis::AsyncConnectionConfig::new()
        .set_response_timeout(None)
        .set_connection_timeout(None);
    let mut real = client
        .get_multiplexed_async_connection_with_config(&config)
        .await
        .unwrap();
    let mut cmd = redis::cmd(&words[0]);
    for w in &words[1..] {
        cmd.arg(w);
    }
    let expected: Value = real.send_packed_command(&cmd).await.unwrap();
    let store = fresh_store("bigargs");
    let got: Value = store
        .connect()
        .command(words.iter().map(|w| w.as_bytes().to_vec()).collect())
        .await
        .into();
    (show(&got), show(&expected))
}

fn eval(body: &str, keys: &[String], argv: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut w = vec!["EVAL".to_string(), body.to_string(), keys.len().to_string()];
    w.extend(keys.iter().cloned());
    w.extend(argv);
    w
}

#[tokio::test]
async fn argv_and_keys_of_any_length() {
    let tag = format!("bigargs:{}:", std::process::id());
    let keys: Vec<String> = (0..20_000).map(|i| format!("{tag}k{i}")).collect();
    let argv = (0..300_000).map(|i| i.to_string());
    let (got, expected) = both(eval(
        "return {#KEYS, #ARGV, KEYS[20000], ARGV[1], ARGV[300000]}",
        &keys,
        argv,
    ))
    .await;
    assert_eq!(got, expected);
    assert_eq!(
        got,
        format!("[20000 300000 \"{tag}k19999\" \"0\" \"299999\"]")
    );
}

#[tokio::test]
async fn long_replies_both_ways() {
    let key = format!("bigargs:{}:list", std::process::id());
    // 7990 values go into one LPUSH; 50,000 come back from LRANGE and from the script.
    let body = "for i = 1, 50000, 5000 do \
                  local t = {} \
                  for j = i, i + 4999 do t[#t + 1] = j end \
                  redis.call('RPUSH', KEYS[1], unpack(t)) \
                end \
                local all = redis.call('LRANGE', KEYS[1], 0, -1) \
                redis.call('DEL', KEYS[1]) \
                return {#all, all[1], all[50000], #redis.call('LRANGE', 'nothing', 0, -1)}";
    let (got, expected) = both(eval(body, std::slice::from_ref(&key), [])).await;
    assert_eq!(got, expected);
    assert_eq!(got, "[50000 \"1\" \"50000\" 0]");
    let body = "local t = {} for i = 1, 50000 do t[i] = i end return t";
    let (got, expected) = both(eval(body, &[], [])).await;
    assert_eq!(got, expected);
}

#[tokio::test]
async fn unpack_up_to_lua_limit_then_the_same_error() {
    let key = format!("bigargs:{}:set", std::process::id());
    let body =
        "local n = redis.call('SADD', KEYS[1], unpack(ARGV)); redis.call('DEL', KEYS[1]); return n";
    let (got, expected) = both(eval(
        body,
        std::slice::from_ref(&key),
        (0..7990).map(|i| i.to_string()),
    ))
    .await;
    assert_eq!((got.as_str(), expected.as_str()), ("7990", "7990"));
    let (got, expected) = both(eval(
        body,
        std::slice::from_ref(&key),
        (0..8000).map(|i| i.to_string()),
    ))
    .await;
    assert_eq!(got, expected);
    assert_eq!(got, "!ERR");
}
