//! String commands: GET, SET (NX/XX/GET/EX/PX/EXAT/PXAT/KEEPTTL), SETNX,
//! SETEX, PSETEX, GETDEL, MGET, MSET, INCR/DECR(BY), INCRBYFLOAT, APPEND, STRLEN.

use super::db::{Db, Value};
use super::reply::{Args, CmdError, CmdResult, Reply, fmt_score, parse_float, parse_int};

/// `GET key`
pub fn get(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::maybe(db.string(&key)?.cloned()))
}

/// `GETDEL key`
pub fn getdel(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    let v = db.string(&key)?.cloned();
    if v.is_some() {
        db.remove(&key);
    }
    Ok(Reply::maybe(v))
}

/// `MGET key [key ...]` (non-strings read as nil, as in Redis).
pub fn mget(db: &mut Db, a: &mut Args) -> CmdResult {
    a.need(1)?;
    let keys = a.rest();
    Ok(Reply::Array(
        keys.iter()
            .map(|k| match db.get(k) {
                Some(Value::Str(s)) => Reply::Bulk(s.clone()),
                _ => Reply::Nil,
            })
            .collect(),
    ))
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`
pub fn set(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let value = a.bytes()?;
    let (mut nx, mut xx, mut get, mut keep_ttl) = (false, false, false, false);
    let mut expires_at: Option<u64> = None;
    while a.remaining() > 0 {
        if a.eat("NX") {
            nx = true;
        } else if a.eat("XX") {
            xx = true;
        } else if a.eat("GET") {
            get = true;
        } else if a.eat("KEEPTTL") {
            keep_ttl = true;
        } else {
            let unit = a.peek_word().unwrap_or_default();
            let scale = match unit.as_str() {
                "EX" | "EXAT" => 1000,
                "PX" | "PXAT" => 1,
                _ => return Err(CmdError::syntax()),
            };
            if expires_at.is_some() {
                return Err(CmdError::syntax());
            }
            a.bytes()?;
            let n = a.int()?;
            if n <= 0 {
                return Err(CmdError::err("invalid expire time in 'set' command"));
            }
            let ms = (n as u64).saturating_mul(scale);
            expires_at = Some(if unit.ends_with("AT") {
                ms
            } else {
                db.now_ms().saturating_add(ms)
            });
        }
    }
    if (nx && xx) || (keep_ttl && expires_at.is_some()) {
        return Err(CmdError::syntax());
    }
    let old = match db.get(&key) {
        None => None,
        Some(Value::Str(s)) => Some(s.clone()),
        Some(_) if get => return Err(CmdError::wrong_type()),
        Some(_) => Some(Vec::new()),
    };
    let allowed = !(nx && old.is_some() || xx && old.is_none());
    if allowed {
        if keep_ttl {
            expires_at = db.entry(&key).and_then(|e| e.expires_at);
        }
        db.insert(key, Value::Str(value), expires_at);
    }
    Ok(match (get, allowed) {
        (true, _) => Reply::maybe(old),
        (false, true) => Reply::ok(),
        (false, false) => Reply::Nil,
    })
}

/// `SETNX key value`
pub fn setnx(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let value = a.bytes()?;
    a.done()?;
    if db.exists(&key) {
        return Ok(Reply::Int(0));
    }
    db.insert(key, Value::Str(value), None);
    Ok(Reply::Int(1))
}

/// `SETEX key seconds value` and `PSETEX key ms value`.
pub fn setex(db: &mut Db, a: &mut Args) -> CmdResult {
    let scale = if a.name() == "psetex" { 1 } else { 1000 };
    let key = a.bytes()?;
    let n = a.int()?;
    let value = a.bytes()?;
    a.done()?;
    if n <= 0 {
        return Err(CmdError::err(format!(
            "invalid expire time in '{}' command",
            a.name()
        )));
    }
    let at = db.now_ms().saturating_add((n as u64).saturating_mul(scale));
    db.insert(key, Value::Str(value), Some(at));
    Ok(Reply::ok())
}

/// `MSET key value [key value ...]`
pub fn mset(db: &mut Db, a: &mut Args) -> CmdResult {
    a.need_pairs()?;
    let items = a.rest();
    let mut it = items.into_iter();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        db.insert(k, Value::Str(v), None);
    }
    Ok(Reply::ok())
}

/// Changes a string in place, keeping its expiry (INCR, APPEND, ...).
fn update_string(db: &mut Db, key: &[u8], value: Vec<u8>) -> Result<(), CmdError> {
    *db.string_or_new(key)? = value;
    Ok(())
}

/// `INCR`, `DECR`, `INCRBY key n`, `DECRBY key n`.
pub fn incr(db: &mut Db, a: &mut Args) -> CmdResult {
    let name = a.name().to_string();
    let key = a.bytes()?;
    let by = match name.as_str() {
        "incr" => 1,
        "decr" => -1,
        "incrby" => a.int()?,
        _ => a.int()?.checked_neg().ok_or_else(CmdError::not_int)?,
    };
    a.done()?;
    let cur = match db.string(&key)? {
        Some(s) => parse_int(s)?,
        None => 0,
    };
    let next = cur
        .checked_add(by)
        .ok_or_else(|| CmdError::err("increment or decrement would overflow"))?;
    update_string(db, &key, next.to_string().into_bytes())?;
    Ok(Reply::Int(next))
}

/// `INCRBYFLOAT key f`
pub fn incrbyfloat(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let by = a.float()?;
    a.done()?;
    let cur = match db.string(&key)? {
        Some(s) => parse_float(s)?,
        None => 0.0,
    };
    let next = cur + by;
    if !next.is_finite() {
        return Err(CmdError::err("increment would produce NaN or Infinity"));
    }
    let text = fmt_score(next).into_bytes();
    update_string(db, &key, text.clone())?;
    Ok(Reply::Bulk(text))
}

/// `APPEND key value`
pub fn append(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let value = a.bytes()?;
    a.done()?;
    let s = db.string_or_new(&key)?;
    s.extend_from_slice(&value);
    Ok(Reply::Int(s.len() as i64))
}

/// `STRLEN key`
pub fn strlen(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(db.string(&key)?.map_or(0, |s| s.len() as i64)))
}
