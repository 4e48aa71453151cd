//! The command table for everything that only needs the keyspace: what
//! `redis.call` may run and the bulk of what connections send. Server-level
//! commands (CLIENT, SCRIPT, EVALSHA, INFO, ...) live in `server.rs`.

use std::time::{SystemTime, UNIX_EPOCH};

use super::blocking::BlockingCall;
use super::db::Db;
use super::reply::{Args, CmdResult, Reply};
use super::{hashes, keyspace, lists, scans, sets, sorted_sets, stream, strings};

/// A command's implementation.
pub type CommandFn = fn(&mut Db, &mut Args) -> CmdResult;

/// The implementation of a keyspace command, by upper-case name.
pub fn lookup(name: &str) -> Option<CommandFn> {
    Some(match name {
        // keys
        "DEL" | "UNLINK" => keyspace::del,
        "EXISTS" => keyspace::exists,
        "TYPE" => keyspace::type_of,
        "RENAME" | "RENAMENX" => keyspace::rename,
        "EXPIRE" | "PEXPIRE" | "EXPIREAT" | "PEXPIREAT" => keyspace::expire,
        "TTL" | "PTTL" => keyspace::ttl,
        "PERSIST" => keyspace::persist,
        "KEYS" => keyspace::keys,
        "SCAN" => scans::scan,
        "HSCAN" => scans::hscan,
        "SSCAN" => scans::sscan,
        "ZSCAN" => scans::zscan,
        "DBSIZE" => keyspace::dbsize,
        "FLUSHDB" | "FLUSHALL" => keyspace::flush,
        // strings
        "GET" => strings::get,
        "GETDEL" => strings::getdel,
        "MGET" => strings::mget,
        "SET" => strings::set,
        "SETNX" => strings::setnx,
        "SETEX" | "PSETEX" => strings::setex,
        "MSET" => strings::mset,
        "INCR" | "DECR" | "INCRBY" | "DECRBY" => strings::incr,
        "INCRBYFLOAT" => strings::incrbyfloat,
        "APPEND" => strings::append,
        "STRLEN" => strings::strlen,
        // hashes
        "HSET" | "HMSET" => hashes::hset,
        "HSETNX" => hashes::hsetnx,
        "HGET" => hashes::hget,
        "HMGET" => hashes::hmget,
        "HGETALL" => hashes::hgetall,
        "HKEYS" | "HVALS" => hashes::hkeys,
        "HDEL" => hashes::hdel,
        "HEXISTS" => hashes::hexists,
        "HLEN" => hashes::hlen,
        "HSTRLEN" => hashes::hstrlen,
        "HINCRBY" => hashes::hincrby,
        "HINCRBYFLOAT" => hashes::hincrbyfloat,
        // lists
        "LPUSH" | "RPUSH" | "LPUSHX" | "RPUSHX" => lists::push,
        "LPOP" | "RPOP" => lists::lpop,
        "LLEN" => lists::llen,
        "LRANGE" => lists::lrange,
        "LINDEX" => lists::lindex,
        "LSET" => lists::lset,
        "LREM" => lists::lrem,
        "LTRIM" => lists::ltrim,
        "LPOS" => lists::lpos,
        "LINSERT" => lists::linsert,
        "RPOPLPUSH" | "LMOVE" => lists::lmove,
        // sets
        "SADD" => sets::sadd,
        "SREM" => sets::srem,
        "SMEMBERS" => sets::smembers,
        "SISMEMBER" => sets::sismember,
        "SMISMEMBER" => sets::smismember,
        "SCARD" => sets::scard,
        "SPOP" => sets::spop,
        "SRANDMEMBER" => sets::srandmember,
        // sorted sets
        "ZADD" => sorted_sets::zadd,
        "ZINCRBY" => sorted_sets::zincrby,
        "ZREM" => sorted_sets::zrem,
        "ZSCORE" => sorted_sets::zscore,
        "ZMSCORE" => sorted_sets::zmscore,
        "ZCARD" => sorted_sets::zcard,
        "ZCOUNT" => sorted_sets::zcount,
        "ZRANK" | "ZREVRANK" => sorted_sets::zrank,
        "ZRANGE" | "ZREVRANGE" | "ZRANGEBYSCORE" | "ZREVRANGEBYSCORE" => sorted_sets::zrange,
        "ZPOPMIN" | "ZPOPMAX" => sorted_sets::zpop,
        "ZREMRANGEBYRANK" | "ZREMRANGEBYSCORE" => sorted_sets::zremrange,
        // streams
        "XADD" => stream::xadd,
        "XLEN" => stream::xlen,
        "XRANGE" => stream::xrange,
        "XREVRANGE" => stream::xrevrange,
        "XTRIM" => stream::xtrim,
        "XDEL" => stream::xdel,
        // connection-free server commands
        "PING" => ping,
        "ECHO" => echo,
        "TIME" => time,
        _ => return None,
    })
}

/// Runs one keyspace command (name first). Blocking commands make a single
/// attempt, as inside MULTI or a script. The caller has set the clock.
pub fn execute(db: &mut Db, mut argv: Vec<Vec<u8>>) -> Reply {
    if argv.is_empty() {
        return Reply::Error("ERR empty command".into());
    }
    let name_bytes = argv.remove(0);
    let name = String::from_utf8_lossy(&name_bytes).to_ascii_uppercase();
    let mut args = Args::new(&name, argv);
    if let Some(f) = lookup(&name) {
        return f(db, &mut args).unwrap_or_else(Reply::from);
    }
    match BlockingCall::parse(&name, &mut args) {
        Ok(Some(mut call)) => {
            let once = call.start(db).and_then(|_| call.attempt(db));
            match once {
                Ok(reply) => reply.unwrap_or_else(BlockingCall::timed_out),
                Err(e) => e.into(),
            }
        }
        Ok(None) => unknown(&name),
        Err(e) => e.into(),
    }
}

/// The reply for a command the store does not implement.
pub fn unknown(name: &str) -> Reply {
    Reply::Error(format!(
        "ERR unknown command '{name}' (the ferroq memory store implements the commands ferroq uses)"
    ))
}

fn ping(_: &mut Db, a: &mut Args) -> CmdResult {
    if a.remaining() > 0 {
        return Ok(Reply::Bulk(a.bytes()?));
    }
    Ok(Reply::Status("PONG".into()))
}

fn echo(_: &mut Db, a: &mut Args) -> CmdResult {
    let v = a.bytes()?;
    a.done()?;
    Ok(Reply::Bulk(v))
}

fn time(_: &mut Db, a: &mut Args) -> CmdResult {
    a.done()?;
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(Reply::Array(vec![
        Reply::text(d.as_secs().to_string()),
        Reply::text(d.subsec_micros().to_string()),
    ]))
}
