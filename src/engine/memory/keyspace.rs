//! Commands on keys of any type: DEL/UNLINK, EXISTS, TYPE, RENAME(NX),
//! (P)EXPIRE(AT), (P)TTL, PERSIST, KEYS, DBSIZE, FLUSHDB/FLUSHALL, and the glob
//! matching KEYS and the SCAN family (`scans.rs`) use.

use super::db::Db;
use super::reply::{Args, CmdError, CmdResult, Reply};

/// `DEL key [key ...]` and `UNLINK`.
pub fn del(db: &mut Db, a: &mut Args) -> CmdResult {
    a.need(1)?;
    let keys = a.rest();
    Ok(Reply::Int(
        keys.iter().filter(|k| db.remove(k).is_some()).count() as i64,
    ))
}

/// `EXISTS key [key ...]` (a key named twice counts twice).
pub fn exists(db: &mut Db, a: &mut Args) -> CmdResult {
    a.need(1)?;
    let keys = a.rest();
    Ok(Reply::Int(
        keys.iter().filter(|k| db.exists(k)).count() as i64
    ))
}

/// `TYPE key`
pub fn type_of(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::Status(
        db.get(&key).map_or("none", |v| v.type_name()).into(),
    ))
}

/// `RENAME src dst` and `RENAMENX src dst` (the expiry moves with the value).
pub fn rename(db: &mut Db, a: &mut Args) -> CmdResult {
    let nx = a.name() == "renamenx";
    let src = a.bytes()?;
    let dst = a.bytes()?;
    a.done()?;
    if !db.exists(&src) {
        return Err(CmdError::no_such_key());
    }
    if nx && db.exists(&dst) {
        return Ok(Reply::Int(0));
    }
    if src != dst {
        let e = db.remove(&src).expect("checked above");
        db.insert(dst, e.value, e.expires_at);
    }
    Ok(if nx { Reply::Int(1) } else { Reply::ok() })
}

/// `EXPIRE`, `PEXPIRE`, `EXPIREAT`, `PEXPIREAT key n [NX|XX|GT|LT]`.
pub fn expire(db: &mut Db, a: &mut Args) -> CmdResult {
    let name = a.name().to_string();
    let key = a.bytes()?;
    let n = a.int()?;
    let cond = a.peek_word();
    if cond.is_some() {
        a.bytes()?;
    }
    a.done()?;
    let ms = if name.starts_with('p') {
        n
    } else {
        n.saturating_mul(1000)
    };
    let at = if name.ends_with("at") {
        ms
    } else {
        (db.now_ms() as i64).saturating_add(ms)
    };
    let Some(current) = db.entry(&key).map(|e| e.expires_at) else {
        return Ok(Reply::Int(0));
    };
    let allowed = match cond.as_deref() {
        None => true,
        Some("NX") => current.is_none(),
        Some("XX") => current.is_some(),
        // No expiry counts as an infinite one.
        Some("GT") => current.is_some_and(|c| at > c as i64),
        Some("LT") => current.is_none_or(|c| at < c as i64),
        Some(_) => return Err(CmdError::syntax()),
    };
    if !allowed {
        return Ok(Reply::Int(0));
    }
    if at <= db.now_ms() as i64 {
        db.remove(&key);
    } else {
        db.set_expiry(&key, Some(at as u64));
    }
    Ok(Reply::Int(1))
}

/// `PTTL key` and `TTL key`: -2 missing, -1 no expiry.
pub fn ttl(db: &mut Db, a: &mut Args) -> CmdResult {
    let ms = a.name() == "pttl";
    let key = a.bytes()?;
    a.done()?;
    let now = db.now_ms();
    Ok(Reply::Int(match db.entry(&key) {
        None => -2,
        Some(e) => match e.expires_at {
            None => -1,
            Some(at) => {
                let left = at.saturating_sub(now);
                if ms {
                    left as i64
                } else {
                    left.div_ceil(1000) as i64
                }
            }
        },
    }))
}

/// `PERSIST key`
pub fn persist(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    let had = db.entry(&key).is_some_and(|e| e.expires_at.is_some());
    if had {
        db.set_expiry(&key, None);
    }
    Ok(Reply::Int(had as i64))
}

/// `KEYS pattern`
pub fn keys(db: &mut Db, a: &mut Args) -> CmdResult {
    let pattern = a.bytes()?;
    a.done()?;
    Ok(Reply::bulks(
        db.keys().filter(|k| glob_match(&pattern, k)).cloned(),
    ))
}

/// `DBSIZE`
pub fn dbsize(db: &mut Db, a: &mut Args) -> CmdResult {
    a.done()?;
    Ok(Reply::Int(db.len() as i64))
}

/// `FLUSHDB` / `FLUSHALL [ASYNC|SYNC]`
pub fn flush(db: &mut Db, a: &mut Args) -> CmdResult {
    let _ = a.eat("ASYNC") || a.eat("SYNC");
    a.done()?;
    db.clear();
    Ok(Reply::ok())
}

/// Redis glob matching: `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\x`.
pub fn glob_match(pattern: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    // Where to resume after the last `*`: (pattern pos after it, string pos).
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        let step = match pattern.get(p) {
            Some(b'*') => {
                star = Some((p + 1, i));
                p += 1;
                continue;
            }
            Some(b'?') => Some(1),
            Some(b'[') => class_match(pattern, p, s[i]),
            Some(b'\\') if p + 1 < pattern.len() => (pattern[p + 1] == s[i]).then_some(2),
            Some(c) => (*c == s[i]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                p += len;
                i += 1;
            }
            None => match star {
                Some((sp, si)) => {
                    p = sp;
                    i = si + 1;
                    star = Some((sp, si + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

/// Matches one byte against the class starting at `pattern[p] == '['`; returns
/// the class's length in the pattern when it matches.
fn class_match(pattern: &[u8], p: usize, c: u8) -> Option<usize> {
    let mut j = p + 1;
    let negate = pattern.get(j) == Some(&b'^');
    if negate {
        j += 1;
    }
    let mut hit = false;
    while j < pattern.len() && pattern[j] != b']' {
        if pattern[j] == b'\\' && j + 1 < pattern.len() {
            hit |= pattern[j + 1] == c;
            j += 2;
        } else if j + 2 < pattern.len() && pattern[j + 1] == b'-' && pattern[j + 2] != b']' {
            let (lo, hi) = (
                pattern[j].min(pattern[j + 2]),
                pattern[j].max(pattern[j + 2]),
            );
            hit |= (lo..=hi).contains(&c);
            j += 3;
        } else {
            hit |= pattern[j] == c;
            j += 1;
        }
    }
    (hit != negate).then_some(j + 1 - p)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs_match_like_redis() {
        assert!(glob_match(b"bull:*:meta", b"bull:q1:meta"));
        assert!(!glob_match(b"bull:*:meta", b"bull:q1:id"));
        assert!(glob_match(b"*", b""));
        assert!(glob_match(b"h?llo", b"hallo"));
        assert!(glob_match(b"h[ae]llo", b"hello"));
        assert!(!glob_match(b"h[^e]llo", b"hello"));
        assert!(glob_match(b"h[a-c]llo", b"hbllo"));
        assert!(glob_match(b"a\\*b", b"a*b"));
        assert!(!glob_match(b"a\\*b", b"axb"));
        assert!(glob_match(b"*a*b*", b"xxaxxbxx"));
    }
}
