//! Sorted set commands: ZADD (NX/XX/GT/LT/CH/INCR), ZINCRBY, ZREM, ZSCORE,
//! ZMSCORE, ZCARD, ZCOUNT, ZRANK, ZREVRANK, ZRANGE (BYSCORE/REV/LIMIT),
//! ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZPOPMIN/MAX,
//! ZREMRANGEBYRANK, ZREMRANGEBYSCORE. BZPOPMIN/MAX reuse [`pop`].

use super::db::Db;
use super::reply::{Args, CmdError, CmdResult, Reply, parse_float};
use super::zset::{ScoreBound, ZSet};

/// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]`
pub fn zadd(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let (mut nx, mut xx, mut gt, mut lt, mut ch, mut incr) =
        (false, false, false, false, false, false);
    loop {
        match a.peek_word().as_deref() {
            Some("NX") => nx = true,
            Some("XX") => xx = true,
            Some("GT") => gt = true,
            Some("LT") => lt = true,
            Some("CH") => ch = true,
            Some("INCR") => incr = true,
            _ => break,
        }
        a.bytes()?;
    }
    a.need_pairs().map_err(|_| CmdError::syntax())?;
    if nx && xx {
        return Err(CmdError::err(
            "XX and NX options at the same time are not compatible",
        ));
    }
    if gt && lt || nx && (gt || lt) {
        return Err(CmdError::err(
            "GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    let items = a.rest();
    if incr && items.len() != 2 {
        return Err(CmdError::err(
            "INCR option supports a single increment-element pair",
        ));
    }
    let mut pairs = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(s), Some(m)) = (it.next(), it.next()) {
        pairs.push((parse_float(&s)?, m));
    }
    if xx && db.zset(&key)?.is_none() {
        return Ok(if incr { Reply::Nil } else { Reply::Int(0) });
    }
    let z = db.zset_or_new(&key)?;
    let (mut added, mut changed) = (0, 0);
    let mut last = None;
    for (score, member) in pairs {
        let old = z.score(&member);
        let new = match (incr, old) {
            (true, Some(o)) => o + score,
            _ => score,
        };
        if new.is_nan() {
            return Err(CmdError::err("resulting score is not a number (NaN)"));
        }
        let skip = match old {
            Some(_) if nx => true,
            None if xx => true,
            Some(o) => (gt && new <= o) || (lt && new >= o),
            None => false,
        };
        if skip {
            continue;
        }
        last = Some(new);
        if old != Some(new) {
            if old.is_none() {
                added += 1;
            }
            changed += 1;
            z.insert(member, new);
        }
    }
    db.drop_if_empty(&key);
    db.signal(&key);
    Ok(match incr {
        true => last.map_or(Reply::Nil, Reply::score),
        false if ch => Reply::Int(changed),
        false => Reply::Int(added),
    })
}

/// `ZINCRBY key increment member`
pub fn zincrby(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let by = a.float()?;
    let member = a.bytes()?;
    a.done()?;
    let z = db.zset_or_new(&key)?;
    let new = z.score(&member).unwrap_or(0.0) + by;
    if new.is_nan() {
        return Err(CmdError::err("resulting score is not a number (NaN)"));
    }
    z.insert(member, new);
    db.signal(&key);
    Ok(Reply::score(new))
}

/// `ZREM key member [member ...]`
pub fn zrem(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let members = a.rest();
    let Some(z) = db.zset_mut(&key)? else {
        return Ok(Reply::Int(0));
    };
    let n = members.iter().filter(|m| z.remove(m)).count();
    db.drop_if_empty(&key);
    Ok(Reply::Int(n as i64))
}

/// `ZSCORE key member`
pub fn zscore(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let m = a.bytes()?;
    a.done()?;
    Ok(db
        .zset(&key)?
        .and_then(|z| z.score(&m))
        .map_or(Reply::Nil, Reply::score))
}

/// `ZMSCORE key member [member ...]`
pub fn zmscore(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let members = a.rest();
    let z = db.zset(&key)?;
    Ok(Reply::Array(
        members
            .iter()
            .map(|m| z.and_then(|z| z.score(m)).map_or(Reply::Nil, Reply::score))
            .collect(),
    ))
}

/// `ZCARD key`
pub fn zcard(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(db.zset(&key)?.map_or(0, |z| z.len() as i64)))
}

/// Parses a score bound: `5`, `(5`, `-inf`, `+inf`.
pub fn parse_bound(b: &[u8]) -> Result<ScoreBound, CmdError> {
    let bad = || CmdError::err("min or max is not a float");
    Ok(match b.strip_prefix(b"(") {
        Some(rest) => ScoreBound {
            value: parse_float(rest).map_err(|_| bad())?,
            exclusive: true,
        },
        None => ScoreBound {
            value: parse_float(b).map_err(|_| bad())?,
            exclusive: false,
        },
    })
}

/// `ZCOUNT key min max`
pub fn zcount(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let (min, max) = (parse_bound(&a.bytes()?)?, parse_bound(&a.bytes()?)?);
    a.done()?;
    Ok(Reply::Int(
        db.zset(&key)?
            .map_or(0, |z| z.range_by_score(min, max).count() as i64),
    ))
}

/// `ZRANK key member [WITHSCORE]` and `ZREVRANK`.
pub fn zrank(db: &mut Db, a: &mut Args) -> CmdResult {
    let rev = a.name() == "zrevrank";
    let key = a.bytes()?;
    let m = a.bytes()?;
    let with_score = a.eat("WITHSCORE");
    a.done()?;
    let Some(z) = db.zset(&key)? else {
        return Ok(Reply::Nil);
    };
    let (Some(rank), Some(score)) = (z.rank(&m), z.score(&m)) else {
        return Ok(Reply::Nil);
    };
    let rank = if rev { z.len() - 1 - rank } else { rank } as i64;
    Ok(if with_score {
        Reply::Array(vec![Reply::Int(rank), Reply::score(score)])
    } else {
        Reply::Int(rank)
    })
}

/// What a range selects: by rank or by score, either direction, with LIMIT.
struct RangeSpec {
    by_score: bool,
    rev: bool,
    start: Vec<u8>,
    stop: Vec<u8>,
    limit: Option<(i64, i64)>,
    with_scores: bool,
}

fn select(z: &ZSet, r: &RangeSpec) -> Result<Vec<(Vec<u8>, f64)>, CmdError> {
    let (offset, count) = match r.limit {
        Some((o, _)) if o < 0 => return Ok(Vec::new()),
        Some((o, c)) => (o as usize, if c < 0 { usize::MAX } else { c as usize }),
        None => (0, usize::MAX),
    };
    let own = |(m, s): (&[u8], f64)| (m.to_vec(), s);
    if r.by_score {
        // In REV order the first bound given is the maximum.
        let (min, max) = if r.rev {
            (parse_bound(&r.stop)?, parse_bound(&r.start)?)
        } else {
            (parse_bound(&r.start)?, parse_bound(&r.stop)?)
        };
        let it = z.range_by_score(min, max);
        return Ok(if r.rev {
            it.rev().skip(offset).take(count).map(own).collect()
        } else {
            it.skip(offset).take(count).map(own).collect()
        });
    }
    let start = super::reply::parse_int(&r.start)?;
    let stop = super::reply::parse_int(&r.stop)?;
    let Some((s, e)) = z.rank_range(start, stop) else {
        return Ok(Vec::new());
    };
    let n = e - s + 1;
    Ok(if r.rev {
        z.iter().rev().skip(s).take(n).map(own).collect()
    } else {
        z.iter().skip(s).take(n).map(own).collect()
    })
}

fn range_reply(items: Vec<(Vec<u8>, f64)>, with_scores: bool) -> Reply {
    let mut out = Vec::with_capacity(items.len() * if with_scores { 2 } else { 1 });
    for (m, s) in items {
        out.push(Reply::Bulk(m));
        if with_scores {
            out.push(Reply::score(s));
        }
    }
    Reply::Array(out)
}

/// ZRANGE and its older forms (ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE).
pub fn zrange(db: &mut Db, a: &mut Args) -> CmdResult {
    let name = a.name().to_string();
    let key = a.bytes()?;
    let mut r = RangeSpec {
        by_score: name.contains("byscore"),
        rev: name.starts_with("zrev"),
        start: a.bytes()?,
        stop: a.bytes()?,
        limit: None,
        with_scores: false,
    };
    while a.remaining() > 0 {
        if a.eat("WITHSCORES") {
            r.with_scores = true;
        } else if a.eat("LIMIT") {
            r.limit = Some((a.int()?, a.int()?));
        } else if name == "zrange" && a.eat("BYSCORE") {
            r.by_score = true;
        } else if name == "zrange" && a.eat("REV") {
            r.rev = true;
        } else if name == "zrange" && a.eat("BYLEX") {
            return Err(CmdError::err(
                "BYLEX is not supported by the ferroq memory store",
            ));
        } else {
            return Err(CmdError::syntax());
        }
    }
    if r.limit.is_some() && !r.by_score {
        return Err(CmdError::err(
            "syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    let Some(z) = db.zset(&key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let items = select(z, &r)?;
    Ok(range_reply(items, r.with_scores))
}

/// Pops up to `count` lowest (or highest) members with their scores.
pub fn pop(
    db: &mut Db,
    key: &[u8],
    max: bool,
    count: usize,
) -> Result<Vec<(Vec<u8>, f64)>, CmdError> {
    let Some(z) = db.zset_mut(key)? else {
        return Ok(Vec::new());
    };
    let picked: Vec<(Vec<u8>, f64)> = if max {
        z.iter()
            .rev()
            .take(count)
            .map(|(m, s)| (m.to_vec(), s))
            .collect()
    } else {
        z.iter().take(count).map(|(m, s)| (m.to_vec(), s)).collect()
    };
    for (m, _) in &picked {
        z.remove(m);
    }
    db.drop_if_empty(key);
    Ok(picked)
}

/// `ZPOPMIN key [count]` and `ZPOPMAX key [count]`.
pub fn zpop(db: &mut Db, a: &mut Args) -> CmdResult {
    let max = a.name() == "zpopmax";
    let key = a.bytes()?;
    let count = if a.remaining() > 0 {
        a.int()?.max(0) as usize
    } else {
        1
    };
    a.done()?;
    Ok(range_reply(pop(db, &key, max, count)?, true))
}

/// `ZREMRANGEBYRANK key start stop` and `ZREMRANGEBYSCORE key min max`.
pub fn zremrange(db: &mut Db, a: &mut Args) -> CmdResult {
    let by_score = a.name() == "zremrangebyscore";
    let key = a.bytes()?;
    let r = RangeSpec {
        by_score,
        rev: false,
        start: a.bytes()?,
        stop: a.bytes()?,
        limit: None,
        with_scores: false,
    };
    a.done()?;
    let Some(z) = db.zset_mut(&key)? else {
        return Ok(Reply::Int(0));
    };
    let doomed = select(z, &r)?;
    for (m, _) in &doomed {
        z.remove(m);
    }
    db.drop_if_empty(&key);
    Ok(Reply::Int(doomed.len() as i64))
}
