//! List commands: LPUSH/RPUSH(X), LPOP/RPOP, LLEN, LRANGE, LINDEX, LSET,
//! LREM, LTRIM, LPOS, LINSERT, RPOPLPUSH, LMOVE. The blocking forms reuse
//! [`pop`] and [`lmove_once`] from `blocking.rs`.

use super::db::{Db, List};
use super::reply::{Args, CmdError, CmdResult, Reply};
use super::zset::resolve_range;

/// `LPUSH`/`RPUSH key element [element ...]`, and the `X` forms that only push
/// onto an existing list.
pub fn push(db: &mut Db, a: &mut Args) -> CmdResult {
    let name = a.name().to_string();
    let key = a.bytes()?;
    a.need(1)?;
    let items = a.rest();
    let only_existing = name.ends_with('x');
    let l = if only_existing {
        match db.list_mut(&key)? {
            Some(l) => l,
            None => return Ok(Reply::Int(0)),
        }
    } else {
        db.list_or_new(&key)?
    };
    let left = name.starts_with('l');
    for item in items {
        if left {
            l.push_front(item);
        } else {
            l.push_back(item);
        }
    }
    let len = l.len() as i64;
    db.signal(&key);
    Ok(Reply::Int(len))
}

/// Pops up to `count` elements from one end; the key goes when the list empties.
pub fn pop(db: &mut Db, key: &[u8], left: bool, count: usize) -> Result<Vec<Vec<u8>>, CmdError> {
    let Some(l) = db.list_mut(key)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(count.min(l.len()));
    while out.len() < count {
        let item = if left { l.pop_front() } else { l.pop_back() };
        match item {
            Some(i) => out.push(i),
            None => break,
        }
    }
    db.drop_if_empty(key);
    Ok(out)
}

/// `LPOP`/`RPOP key [count]`
pub fn lpop(db: &mut Db, a: &mut Args) -> CmdResult {
    let left = a.name() == "lpop";
    let key = a.bytes()?;
    let count = if a.remaining() > 0 {
        let n = a.int()?;
        if n < 0 {
            return Err(CmdError::err("value is out of range, must be positive"));
        }
        Some(n as usize)
    } else {
        None
    };
    a.done()?;
    let items = pop(db, &key, left, count.unwrap_or(1))?;
    Ok(match count {
        Some(_) if items.is_empty() => Reply::Nil,
        Some(_) => Reply::bulks(items),
        None => Reply::maybe(items.into_iter().next()),
    })
}

/// `LLEN key`
pub fn llen(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(db.list(&key)?.map_or(0, |l| l.len() as i64)))
}

/// `LRANGE key start stop`
pub fn lrange(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let (start, stop) = (a.int()?, a.int()?);
    a.done()?;
    let Some(l) = db.list(&key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    Ok(match resolve_range(l.len(), start, stop) {
        Some((s, e)) => Reply::bulks(l.range(s..=e).cloned()),
        None => Reply::Array(Vec::new()),
    })
}

fn index_of(l: &List, i: i64) -> Option<usize> {
    let idx = if i < 0 { l.len() as i64 + i } else { i };
    (idx >= 0 && (idx as usize) < l.len()).then_some(idx as usize)
}

/// `LINDEX key index`
pub fn lindex(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let i = a.int()?;
    a.done()?;
    Ok(Reply::maybe(
        db.list(&key)?
            .and_then(|l| index_of(l, i).map(|i| l[i].clone())),
    ))
}

/// `LSET key index element`
pub fn lset(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let i = a.int()?;
    let v = a.bytes()?;
    a.done()?;
    let l = db.list_mut(&key)?.ok_or_else(CmdError::no_such_key)?;
    let i = index_of(l, i).ok_or_else(|| CmdError::err("index out of range"))?;
    l[i] = v;
    Ok(Reply::ok())
}

/// `LREM key count element`: count > 0 from the head, < 0 from the tail, 0 all.
pub fn lrem(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let count = a.int()?;
    let v = a.bytes()?;
    a.done()?;
    let Some(l) = db.list_mut(&key)? else {
        return Ok(Reply::Int(0));
    };
    let limit = if count == 0 {
        usize::MAX
    } else {
        count.unsigned_abs() as usize
    };
    let mut removed = 0;
    if count >= 0 {
        let mut i = 0;
        while i < l.len() && removed < limit {
            if l[i] == v {
                l.remove(i);
                removed += 1;
            } else {
                i += 1;
            }
        }
    } else {
        let mut i = l.len();
        while i > 0 && removed < limit {
            i -= 1;
            if l[i] == v {
                l.remove(i);
                removed += 1;
            }
        }
    }
    db.drop_if_empty(&key);
    Ok(Reply::Int(removed as i64))
}

/// `LTRIM key start stop`
pub fn ltrim(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let (start, stop) = (a.int()?, a.int()?);
    a.done()?;
    let Some(l) = db.list_mut(&key)? else {
        return Ok(Reply::ok());
    };
    match resolve_range(l.len(), start, stop) {
        Some((s, e)) => {
            l.truncate(e + 1);
            l.drain(..s);
        }
        None => l.clear(),
    }
    db.drop_if_empty(&key);
    Ok(Reply::ok())
}

/// `LPOS key element [RANK r] [COUNT n] [MAXLEN m]`
pub fn lpos(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let v = a.bytes()?;
    let (mut rank, mut count, mut maxlen) = (1i64, None, 0usize);
    while a.remaining() > 0 {
        if a.eat("RANK") {
            rank = a.int()?;
            if rank == 0 || rank == i64::MIN {
                return Err(CmdError::err(
                    "RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
                ));
            }
        } else if a.eat("COUNT") {
            let n = a.int()?;
            if n < 0 {
                return Err(CmdError::err("COUNT can't be negative"));
            }
            count = Some(n as usize);
        } else if a.eat("MAXLEN") {
            let n = a.int()?;
            if n < 0 {
                return Err(CmdError::err("MAXLEN can't be negative"));
            }
            maxlen = n as usize;
        } else {
            return Err(CmdError::syntax());
        }
    }
    let mut found = Vec::new();
    if let Some(l) = db.list(&key)? {
        let want = match count {
            Some(0) => usize::MAX,
            Some(n) => n,
            None => 1,
        };
        let scan = if maxlen == 0 {
            l.len()
        } else {
            maxlen.min(l.len())
        };
        let mut skip = rank.unsigned_abs() as usize - 1;
        let positions: Box<dyn Iterator<Item = usize>> = if rank > 0 {
            Box::new(0..scan)
        } else {
            Box::new((l.len() - scan..l.len()).rev())
        };
        for i in positions {
            if l[i] == v {
                if skip > 0 {
                    skip -= 1;
                } else {
                    found.push(i as i64);
                    if found.len() >= want {
                        break;
                    }
                }
            }
        }
    }
    Ok(match count {
        Some(_) => Reply::Array(found.into_iter().map(Reply::Int).collect()),
        None => found.first().map_or(Reply::Nil, |i| Reply::Int(*i)),
    })
}

/// `LINSERT key BEFORE|AFTER pivot element`
pub fn linsert(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let before = if a.eat("BEFORE") {
        true
    } else if a.eat("AFTER") {
        false
    } else {
        return Err(CmdError::syntax());
    };
    let pivot = a.bytes()?;
    let v = a.bytes()?;
    a.done()?;
    let Some(l) = db.list_mut(&key)? else {
        return Ok(Reply::Int(0));
    };
    match l.iter().position(|x| *x == pivot) {
        Some(i) => {
            l.insert(if before { i } else { i + 1 }, v);
            Ok(Reply::Int(l.len() as i64))
        }
        None => Ok(Reply::Int(-1)),
    }
}

/// Moves one element between lists (LMOVE's core); `None` when `src` is empty.
pub fn lmove_once(
    db: &mut Db,
    src: &[u8],
    dst: &[u8],
    from_left: bool,
    to_left: bool,
) -> Result<Option<Vec<u8>>, CmdError> {
    if db.list(src)?.is_none() {
        return Ok(None);
    }
    // Check the destination's type before taking anything from the source.
    db.list(dst)?;
    let Some(item) = pop(db, src, from_left, 1)?.pop() else {
        return Ok(None);
    };
    let l = db.list_or_new(dst)?;
    if to_left {
        l.push_front(item.clone());
    } else {
        l.push_back(item.clone());
    }
    db.signal(dst);
    Ok(Some(item))
}

/// Reads `LEFT|RIGHT`.
pub fn side(a: &mut Args) -> Result<bool, CmdError> {
    if a.eat("LEFT") {
        Ok(true)
    } else if a.eat("RIGHT") {
        Ok(false)
    } else {
        Err(CmdError::syntax())
    }
}

/// `RPOPLPUSH src dst` and `LMOVE src dst LEFT|RIGHT LEFT|RIGHT`.
pub fn lmove(db: &mut Db, a: &mut Args) -> CmdResult {
    let src = a.bytes()?;
    let dst = a.bytes()?;
    let (from_left, to_left) = if a.name() == "rpoplpush" {
        (false, true)
    } else {
        (side(a)?, side(a)?)
    };
    a.done()?;
    Ok(Reply::maybe(lmove_once(
        db, &src, &dst, from_left, to_left,
    )?))
}
