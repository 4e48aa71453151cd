//! Hash commands: HSET/HMSET, HSETNX, HGET, HMGET, HGETALL, HDEL, HEXISTS,
//! HLEN, HKEYS, HVALS, HSTRLEN, HINCRBY, HINCRBYFLOAT.

use super::db::Db;
use super::reply::{Args, CmdError, CmdResult, Reply, fmt_score, parse_float, parse_int};

/// `HSET key field value [field value ...]` (and `HMSET`, which answers OK).
pub fn hset(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need_pairs()?;
    let pairs = a.rest();
    let h = db.hash_or_new(&key)?;
    let mut added = 0;
    let mut it = pairs.into_iter();
    while let (Some(f), Some(v)) = (it.next(), it.next()) {
        if h.insert(f, v).is_none() {
            added += 1;
        }
    }
    Ok(if a.name() == "hmset" {
        Reply::ok()
    } else {
        Reply::Int(added)
    })
}

/// `HSETNX key field value`
pub fn hsetnx(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let field = a.bytes()?;
    let value = a.bytes()?;
    a.done()?;
    let h = db.hash_or_new(&key)?;
    if h.contains_key(&field) {
        return Ok(Reply::Int(0));
    }
    h.insert(field, value);
    Ok(Reply::Int(1))
}

/// `HGET key field`
pub fn hget(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let field = a.bytes()?;
    a.done()?;
    Ok(Reply::maybe(
        db.hash(&key)?.and_then(|h| h.get(&field)).cloned(),
    ))
}

/// `HMGET key field [field ...]`
pub fn hmget(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let fields = a.rest();
    let h = db.hash(&key)?;
    Ok(Reply::Array(
        fields
            .iter()
            .map(|f| Reply::maybe(h.and_then(|h| h.get(f)).cloned()))
            .collect(),
    ))
}

/// `HGETALL key`
pub fn hgetall(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    let mut out = Vec::new();
    if let Some(h) = db.hash(&key)? {
        out.reserve(h.len() * 2);
        for (f, v) in h {
            out.push(Reply::Bulk(f.clone()));
            out.push(Reply::Bulk(v.clone()));
        }
    }
    Ok(Reply::Array(out))
}

/// `HKEYS key` and `HVALS key`.
pub fn hkeys(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    let keys = a.name() == "hkeys";
    Ok(Reply::bulks(db.hash(&key)?.into_iter().flat_map(|h| {
        h.iter()
            .map(move |(f, v)| if keys { f.clone() } else { v.clone() })
    })))
}

/// `HDEL key field [field ...]`
pub fn hdel(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let fields = a.rest();
    let Some(h) = db.hash_mut(&key)? else {
        return Ok(Reply::Int(0));
    };
    let n = fields.iter().filter(|f| h.remove(*f).is_some()).count();
    db.drop_if_empty(&key);
    Ok(Reply::Int(n as i64))
}

/// `HEXISTS key field`
pub fn hexists(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let field = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(
        db.hash(&key)?.is_some_and(|h| h.contains_key(&field)) as i64,
    ))
}

/// `HLEN key`
pub fn hlen(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(db.hash(&key)?.map_or(0, |h| h.len() as i64)))
}

/// `HSTRLEN key field`
pub fn hstrlen(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let field = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(
        db.hash(&key)?
            .and_then(|h| h.get(&field))
            .map_or(0, |v| v.len() as i64),
    ))
}

/// `HINCRBY key field n`
pub fn hincrby(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let field = a.bytes()?;
    let by = a.int()?;
    a.done()?;
    let h = db.hash_or_new(&key)?;
    let cur = match h.get(&field) {
        Some(v) => parse_int(v).map_err(|_| CmdError::err("hash value is not an integer"))?,
        None => 0,
    };
    let next = cur
        .checked_add(by)
        .ok_or_else(|| CmdError::err("increment or decrement would overflow"))?;
    h.insert(field, next.to_string().into_bytes());
    Ok(Reply::Int(next))
}

/// `HINCRBYFLOAT key field f`
pub fn hincrbyfloat(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let field = a.bytes()?;
    let by = a.float()?;
    a.done()?;
    let h = db.hash_or_new(&key)?;
    let cur = match h.get(&field) {
        Some(v) => parse_float(v).map_err(|_| CmdError::err("hash value is not a float"))?,
        None => 0.0,
    };
    let next = cur + by;
    if !next.is_finite() {
        return Err(CmdError::err("increment would produce NaN or Infinity"));
    }
    let text = fmt_score(next).into_bytes();
    h.insert(field, text.clone());
    Ok(Reply::Bulk(text))
}
