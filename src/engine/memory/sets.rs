//! Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP,
//! SRANDMEMBER. "Random" picks are whichever members come first: Redis only
//! promises some member, and tests stay reproducible.

use super::db::Db;
use super::reply::{Args, CmdError, CmdResult, Reply};

/// `SADD key member [member ...]`
pub fn sadd(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let members = a.rest();
    let s = db.set_or_new(&key)?;
    Ok(Reply::Int(
        members.into_iter().filter(|m| s.insert(m.clone())).count() as i64,
    ))
}

/// `SREM key member [member ...]`
pub fn srem(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let members = a.rest();
    let Some(s) = db.set_mut(&key)? else {
        return Ok(Reply::Int(0));
    };
    let n = members.iter().filter(|m| s.remove(*m)).count();
    db.drop_if_empty(&key);
    Ok(Reply::Int(n as i64))
}

/// `SMEMBERS key`
pub fn smembers(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::bulks(db.set(&key)?.into_iter().flatten().cloned()))
}

/// `SISMEMBER key member`
pub fn sismember(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let m = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(
        db.set(&key)?.is_some_and(|s| s.contains(&m)) as i64
    ))
}

/// `SMISMEMBER key member [member ...]`
pub fn smismember(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let members = a.rest();
    let s = db.set(&key)?;
    Ok(Reply::Array(
        members
            .iter()
            .map(|m| Reply::Int(s.is_some_and(|s| s.contains(m)) as i64))
            .collect(),
    ))
}

/// `SCARD key`
pub fn scard(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(db.set(&key)?.map_or(0, |s| s.len() as i64)))
}

fn count_arg(a: &mut Args) -> Result<Option<usize>, CmdError> {
    if a.remaining() == 0 {
        return Ok(None);
    }
    let n = a.int()?;
    a.done()?;
    if n < 0 {
        return Err(CmdError::err("value is out of range, must be positive"));
    }
    Ok(Some(n as usize))
}

/// `SPOP key [count]`
pub fn spop(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let count = count_arg(a)?;
    let Some(s) = db.set_mut(&key)? else {
        return Ok(if count.is_some() {
            Reply::Array(Vec::new())
        } else {
            Reply::Nil
        });
    };
    let picked: Vec<Vec<u8>> = s.iter().take(count.unwrap_or(1)).cloned().collect();
    for m in &picked {
        s.remove(m);
    }
    db.drop_if_empty(&key);
    Ok(match count {
        Some(_) => Reply::bulks(picked),
        None => Reply::maybe(picked.into_iter().next()),
    })
}

/// `SRANDMEMBER key [count]` (distinct members; a negative count is not supported).
pub fn srandmember(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let count = count_arg(a)?;
    let picked: Vec<Vec<u8>> = db
        .set(&key)?
        .into_iter()
        .flatten()
        .take(count.unwrap_or(1))
        .cloned()
        .collect();
    Ok(match count {
        Some(_) => Reply::bulks(picked),
        None => Reply::maybe(picked.into_iter().next()),
    })
}
