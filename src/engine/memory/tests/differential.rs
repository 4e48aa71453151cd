//! The same command sequence on a real redis-server and on the embedded store
//! must give the same replies, step by step (error replies compared by code;
//! replies whose order Redis leaves unspecified are sorted first).

use redis::Value;

use super::{fresh_store, show};
use crate::engine::tests::support::redis_url;

/// Commands whose reply order is unspecified in Redis.
const UNORDERED: &[&str] = &["SMEMBERS", "HKEYS", "HVALS", "KEYS"];

fn normalise(cmd: &str, v: Value) -> String {
    let upper = cmd.to_ascii_uppercase();
    match v {
        Value::Array(mut items) if UNORDERED.contains(&upper.as_str()) => {
            items.sort_by_key(show);
            show(&Value::Array(items))
        }
        Value::Array(items) if upper == "HGETALL" => {
            let mut pairs: Vec<String> = items
                .chunks(2)
                .map(|p| format!("{}={}", show(&p[0]), show(&p[1])))
                .collect();
            pairs.sort();
            pairs.join(" ")
        }
        other => show(&other),
    }
}

async fn compare(steps: &[&[&str]]) {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut real = client.get_multiplexed_async_connection().await.unwrap();
    let store = fresh_store("diff");
    let mem = store.connect();
    let prefix = format!("diff:{}:{}:", std::process::id(), store.name());
    for step in steps {
        let words: Vec<String> = step.iter().map(|w| w.replace("{p}", &prefix)).collect();
        let mut cmd = redis::cmd(&words[0]);
        for w in &words[1..] {
            cmd.arg(w);
        }
        let expected = match real.send_packed_command(&cmd).await {
            Ok(v) => v,
            Err(e) => panic!("redis-server failed {words:?}: {e}"),
        };
        let got: Value = mem
            .command(words.iter().map(|w| w.as_bytes().to_vec()).collect())
            .await
            .into();
        assert_eq!(
            normalise(&words[0], got),
            normalise(&words[0], expected),
            "{words:?}"
        );
    }
}

#[tokio::test]
async fn strings_and_keys_match_redis() {
    compare(&[
        &["SET", "{p}s", "v"],
        &["GET", "{p}s"],
        &["SET", "{p}s", "w", "NX"],
        &["SET", "{p}s", "w", "XX"],
        &["SET", "{p}s", "x", "GET"],
        &["SET", "{p}s", "x", "NX", "XX"],
        &["INCR", "{p}n"],
        &["INCRBY", "{p}n", "5"],
        &["DECR", "{p}n"],
        &["DECRBY", "{p}n", "10"],
        &["INCR", "{p}s"],
        &["INCRBYFLOAT", "{p}f", "1.5"],
        &["INCRBYFLOAT", "{p}f", "2"],
        &["APPEND", "{p}s", "yz"],
        &["STRLEN", "{p}s"],
        &["MSET", "{p}a", "1", "{p}b", "2"],
        &["MGET", "{p}a", "{p}b", "{p}zz"],
        &["SETNX", "{p}a", "3"],
        &["GETDEL", "{p}a"],
        &["EXISTS", "{p}a", "{p}b", "{p}b"],
        &["TYPE", "{p}b"],
        &["TYPE", "{p}none"],
        &["DEL", "{p}b", "{p}none"],
        &["RENAME", "{p}s", "{p}s2"],
        &["RENAME", "{p}none", "{p}x"],
        &["RENAMENX", "{p}s2", "{p}n"],
        &["GET", "{p}s2"],
        &["SET", "{p}e", "v", "EX", "100"],
        &["TTL", "{p}e"],
        &["PERSIST", "{p}e"],
        &["TTL", "{p}e"],
        &["PTTL", "{p}none"],
        &["PEXPIRE", "{p}e", "100000", "NX"],
        &["PEXPIRE", "{p}e", "200000", "NX"],
        &["PEXPIRE", "{p}e", "50000", "GT"],
        &["EXPIRE", "{p}e", "-1"],
        &["EXISTS", "{p}e"],
        &["SET", "{p}e", "v", "PX", "0"],
        &["KEYS", "{p}s*"],
        &["GET"],
        &["NOSUCHCOMMAND", "x"],
    ])
    .await;
}

#[tokio::test]
async fn hashes_and_sets_match_redis() {
    compare(&[
        &["HSET", "{p}h", "a", "1", "b", "2"],
        &["HSET", "{p}h", "a", "3", "c", "4"],
        &["HGET", "{p}h", "a"],
        &["HMGET", "{p}h", "a", "x", "c"],
        &["HGETALL", "{p}h"],
        &["HLEN", "{p}h"],
        &["HEXISTS", "{p}h", "c"],
        &["HDEL", "{p}h", "a", "x"],
        &["HINCRBY", "{p}h", "n", "5"],
        &["HINCRBY", "{p}h", "n", "-7"],
        &["HINCRBY", "{p}h", "n", "x"],
        &["HSETNX", "{p}h", "n", "9"],
        &["HKEYS", "{p}h"],
        &["HVALS", "{p}h"],
        &["HSTRLEN", "{p}h", "n"],
        &["HINCRBYFLOAT", "{p}h", "fl", "0.5"],
        &["GET", "{p}h"],
        &["HMSET", "{p}h", "z", "1"],
        &["HDEL", "{p}h", "b", "c", "n", "fl", "z"],
        &["EXISTS", "{p}h"],
        &["HGETALL", "{p}h"],
        &["SADD", "{p}set", "a", "b", "c", "a"],
        &["SCARD", "{p}set"],
        &["SISMEMBER", "{p}set", "b"],
        &["SMISMEMBER", "{p}set", "b", "q"],
        &["SREM", "{p}set", "a", "x"],
        &["SMEMBERS", "{p}set"],
        &["SREM", "{p}set", "b", "c"],
        &["EXISTS", "{p}set"],
        &["SPOP", "{p}set"],
    ])
    .await;
}

#[tokio::test]
async fn lists_match_redis() {
    compare(&[
        &["RPUSH", "{p}l", "a", "b", "c", "a", "b"],
        &["LPUSH", "{p}l", "z"],
        &["LRANGE", "{p}l", "0", "-1"],
        &["LRANGE", "{p}l", "-2", "-1"],
        &["LRANGE", "{p}l", "5", "2"],
        &["LLEN", "{p}l"],
        &["LINDEX", "{p}l", "-1"],
        &["LINDEX", "{p}l", "100"],
        &["LPOS", "{p}l", "a"],
        &["LPOS", "{p}l", "a", "RANK", "2"],
        &["LPOS", "{p}l", "a", "RANK", "-1"],
        &["LPOS", "{p}l", "a", "COUNT", "0"],
        &["LPOS", "{p}l", "b", "COUNT", "1", "MAXLEN", "2"],
        &["LPOS", "{p}l", "q"],
        &["LREM", "{p}l", "-1", "a"],
        &["LRANGE", "{p}l", "0", "-1"],
        &["LREM", "{p}l", "0", "b"],
        &["LSET", "{p}l", "0", "y"],
        &["LSET", "{p}l", "10", "y"],
        &["LINSERT", "{p}l", "BEFORE", "c", "q"],
        &["LTRIM", "{p}l", "1", "-1"],
        &["LRANGE", "{p}l", "0", "-1"],
        &["RPOPLPUSH", "{p}l", "{p}l2"],
        &["LMOVE", "{p}l", "{p}l2", "LEFT", "RIGHT"],
        &["LRANGE", "{p}l2", "0", "-1"],
        &["LPOP", "{p}l2"],
        &["RPOP", "{p}l2", "2"],
        &["LPOP", "{p}nol"],
        &["LPOP", "{p}nol", "2"],
        &["RPUSHX", "{p}nol", "a"],
        &["RPUSH", "{p}l2", "x"],
        &["LTRIM", "{p}l2", "5", "10"],
        &["EXISTS", "{p}l2"],
        &["LRANGE", "{p}l", "0", "-1"],
        &["RPOPLPUSH", "{p}l", "{p}l"],
        &["LRANGE", "{p}l", "0", "-1"],
    ])
    .await;
}

#[tokio::test]
async fn sorted_sets_match_redis() {
    compare(&[
        &["ZADD", "{p}z", "1", "a", "2", "b", "3", "c"],
        &["ZADD", "{p}z", "1.5", "a"],
        &["ZADD", "{p}z", "NX", "5", "a", "6", "d"],
        &["ZADD", "{p}z", "XX", "CH", "7", "d", "8", "e"],
        &["ZADD", "{p}z", "GT", "CH", "1", "d"],
        &["ZADD", "{p}z", "LT", "CH", "1", "d"],
        &["ZADD", "{p}z", "INCR", "2", "a"],
        &["ZADD", "{p}z", "NX", "INCR", "2", "a"],
        &["ZSCORE", "{p}z", "a"],
        &["ZMSCORE", "{p}z", "a", "zz"],
        &["ZCARD", "{p}z"],
        &["ZRANK", "{p}z", "c"],
        &["ZREVRANK", "{p}z", "c"],
        &["ZRANGE", "{p}z", "0", "-1", "WITHSCORES"],
        &["ZREVRANGE", "{p}z", "0", "1"],
        &["ZRANGEBYSCORE", "{p}z", "(1", "3", "WITHSCORES"],
        &["ZRANGEBYSCORE", "{p}z", "-inf", "+inf", "LIMIT", "1", "2"],
        &[
            "ZREVRANGEBYSCORE",
            "{p}z",
            "+inf",
            "(2",
            "WITHSCORES",
            "LIMIT",
            "0",
            "1",
        ],
        &["ZRANGE", "{p}z", "3", "(1", "BYSCORE", "REV"],
        &["ZRANGE", "{p}z", "0", "10", "BYSCORE", "LIMIT", "1", "1"],
        &["ZRANGE", "{p}z", "0", "1", "LIMIT", "1", "1"],
        &["ZCOUNT", "{p}z", "2", "+inf"],
        &["ZINCRBY", "{p}z", "10", "b"],
        &["ZPOPMIN", "{p}z"],
        &["ZPOPMAX", "{p}z", "2"],
        &["ZADD", "{p}z", "1", "x", "1", "y", "1", "w"],
        &["ZRANGE", "{p}z", "0", "-1"],
        &["ZREMRANGEBYRANK", "{p}z", "0", "0"],
        &["ZREMRANGEBYSCORE", "{p}z", "1", "1"],
        &["ZRANGE", "{p}z", "0", "-1", "WITHSCORES"],
        &[
            "ZADD",
            "{p}big",
            "7000000000000001",
            "j",
            "0.1",
            "k",
            "-2.5e-7",
            "m",
        ],
        &["ZRANGE", "{p}big", "0", "-1", "WITHSCORES"],
        &["ZADD", "{p}z", "nan", "x"],
        &["ZADD", "{p}z", "1"],
        &["ZADD", "{p}z", "x", "y"],
        &["ZRANGEBYSCORE", "{p}z", "x", "1"],
        &["ZREMRANGEBYRANK", "{p}z", "0", "-1"],
        &["EXISTS", "{p}z"],
        &["ZPOPMIN", "{p}z"],
    ])
    .await;
}

#[tokio::test]
async fn streams_match_redis() {
    compare(&[
        &["XADD", "{p}x", "1-1", "a", "1"],
        &["XADD", "{p}x", "1-*", "b", "2"],
        &["XADD", "{p}x", "2-0", "c", "3"],
        &["XADD", "{p}x", "1-5", "d", "4"],
        &["XADD", "{p}x", "0-0", "d", "4"],
        &["XADD", "{p}x", "3-0", "odd"],
        &["XLEN", "{p}x"],
        &["XRANGE", "{p}x", "-", "+"],
        &["XRANGE", "{p}x", "1", "1"],
        &["XRANGE", "{p}x", "(1-1", "+", "COUNT", "1"],
        &["XREVRANGE", "{p}x", "+", "-", "COUNT", "2"],
        &["XREVRANGE", "{p}x", "(2-0", "-"],
        &["XADD", "{p}x", "MAXLEN", "2", "3-0", "e", "5"],
        &["XLEN", "{p}x"],
        &["XRANGE", "{p}x", "-", "+"],
        &["XTRIM", "{p}x", "MAXLEN", "1"],
        &["XDEL", "{p}x", "3-0"],
        &["XLEN", "{p}x"],
        &["EXISTS", "{p}x"],
        &["XADD", "{p}nx", "NOMKSTREAM", "1-1", "a", "b"],
        &["EXISTS", "{p}nx"],
        &["XREAD", "STREAMS", "{p}x", "0-0"],
        &["XADD", "{p}x", "4-0", "f", "6"],
        &["XADD", "{p}x", "5-0", "g", "7"],
        &["XREAD", "COUNT", "1", "STREAMS", "{p}x", "0"],
        &["XREAD", "STREAMS", "{p}x", "{p}none", "4-0", "0"],
        &["XTRIM", "{p}x", "MINID", "5"],
        &["XRANGE", "{p}x", "-", "+"],
        &["XRANGE", "{p}none", "-", "+"],
        &["XLEN", "{p}none"],
    ])
    .await;
}

#[tokio::test]
async fn scripts_match_redis() {
    compare(&[
        &["SET", "{p}s", "abc"],
        &["ZADD", "{p}z", "1", "a", "2.5", "b"],
        &["EVAL", "return {1, 2, 3.7, -3.7, 'x', false, true, nil, 5}", "0"],
        &["EVAL", "return redis.call('GET', KEYS[1])", "1", "{p}s"],
        &["EVAL", "return redis.call('GET', KEYS[1])", "1", "{p}missing"],
        &["EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "{p}s"],
        &["EVAL", "return redis.call('INCR', KEYS[1])", "1", "{p}s"],
        &["EVAL", "local r = redis.pcall('INCR', KEYS[1]); return type(r.err)", "1", "{p}s"],
        &["EVAL", "local ok, e = pcall(redis.call, 'INCR', KEYS[1]); return {tostring(ok), type(e)}", "1", "{p}s"],
        &["EVAL", "return redis.status_reply('FINE')", "0"],
        &["EVAL", "return redis.error_reply('MY bad thing')", "0"],
        &["EVAL", "return redis.call('SET', KEYS[1], 'v')", "1", "{p}t"],
        &["EVAL", "return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')", "1", "{p}z"],
        &["EVAL", "return redis.call('ZSCORE', KEYS[1], 'zz')", "1", "{p}z"],
        &["EVAL", "redis.call('SET', KEYS[1], 1.5e15); return redis.call('GET', KEYS[1])", "1", "{p}n"],
        &["EVAL", "redis.call('SET', KEYS[1], 123456789012); return redis.call('GET', KEYS[1])", "1", "{p}n"],
        &["EVAL", "redis.call('SET', KEYS[1], 0.1); return redis.call('GET', KEYS[1])", "1", "{p}n"],
        &["EVAL", "return cjson.encode({a = {1, 2, 'x/y'}})", "0"],
        &["EVAL", "return cjson.encode({})", "0"],
        &["EVAL", "return cjson.encode({1.5, 100000000000000, 'q\"\\n', true, cjson.null})", "0"],
        &["EVAL", "local t = cjson.decode(ARGV[1]); return {t.a, t.b[2], tostring(t.c == cjson.null), #t.b}", "0", r#"{"a":"x","b":[1,2],"c":null}"#],
        &["EVAL", "return pcall(cjson.decode, '{bad')", "0"],
        &["EVAL", "return string.format('%.0f', 2^53 + 2)", "0"],
        &["EVAL", "return tostring(7000000000000123 / 4096)", "0"],
        &["EVAL", "return x", "0"],
        &["EVAL", "y = 1", "0"],
        &["EVAL", "return redis.call()", "0"],
        &["EVAL", "return redis.call('GET', {})", "0"],
        &["EVAL", "return {unpack(ARGV, 2, 3)}", "0", "a", "b", "c", "d"],
        &["EVAL", "return #KEYS + #ARGV * 10", "2", "{p}a", "{p}b", "c"],
        &["EVAL", "return redis.sha1hex('')", "0"],
        &["EVAL", "syntax error here", "0"],
        &["EVALSHA", "0000000000000000000000000000000000000000", "0"],
        &["SCRIPT", "LOAD", "return 'loaded'"],
        &["EVALSHA", "5d3ff6b8d23f3d36a9b8b0b2aef1f0b53bdb70a0", "0"],
        &["SCRIPT", "EXISTS", "0000000000000000000000000000000000000000"],
        &["EVAL", "return redis.call('EVAL', 'return 1', 0)", "0"],
    ])
    .await;
}

/// Every item a full HSCAN/SSCAN/ZSCAN iteration returns, sorted (cursors differ
/// between implementations; what the iteration yields must not).
async fn scan_all(con: &mut impl redis::aio::ConnectionLike, cmd: &str, key: &str) -> Vec<String> {
    let mut cursor = 0u64;
    let mut out = Vec::new();
    loop {
        let (next, items): (u64, Vec<String>) = redis::cmd(cmd)
            .arg(key)
            .arg(cursor)
            .arg("COUNT")
            .arg(7)
            .query_async(con)
            .await
            .unwrap();
        out.extend(
            items
                .chunks(if cmd == "SSCAN" { 1 } else { 2 })
                .map(|c| c.join("=")),
        );
        if next == 0 {
            break;
        }
        cursor = next;
    }
    out.sort();
    out
}

#[tokio::test]
async fn collection_scans_yield_what_redis_yields() {
    let client = redis::Client::open(redis_url()).unwrap();
    let mut real = client.get_multiplexed_async_connection().await.unwrap();
    let store = fresh_store("diff-scan");
    let mut mem = crate::engine::connection::Conn::Memory(store.connect());
    let prefix = format!("diff:{}:{}:", std::process::id(), store.name());
    let (h, s, z) = (
        format!("{prefix}h"),
        format!("{prefix}s"),
        format!("{prefix}z"),
    );
    let mut fill = redis::pipe();
    for i in 0..40 {
        fill.cmd("HSET").arg(&h).arg(format!("f{i}")).arg(i);
        fill.cmd("SADD").arg(&s).arg(format!("m{i}"));
        fill.cmd("ZADD").arg(&z).arg(i * 3).arg(format!("z{i}"));
    }
    fill.exec_async(&mut real).await.unwrap();
    fill.exec_async(&mut mem).await.unwrap();
    for (cmd, key) in [("HSCAN", &h), ("SSCAN", &s), ("ZSCAN", &z)] {
        let want = scan_all(&mut real, cmd, key).await;
        assert_eq!(want.len(), 40, "{cmd}");
        assert_eq!(scan_all(&mut mem, cmd, key).await, want, "{cmd}");
    }
}
