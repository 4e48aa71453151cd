//! The SCAN family: SCAN over keys, HSCAN/SSCAN/ZSCAN over one collection.
//!
//! Items are walked in the order of a stable 53-bit hash of their name and the
//! cursor is the next hash to visit, so (as in Redis) an item that exists for
//! the whole iteration is returned at least once, whatever else changes.

use super::db::Db;
use super::keyspace::glob_match;
use super::reply::{Args, CmdError, CmdResult, Reply, fmt_score};

/// The stable order: FNV-1a over the name, folded to 1..2^53 (0 ends a scan).
/// 53 bits, so a cursor survives a JavaScript number (job.getDependencies
/// hands `nextProcessedCursor` back as one): a larger one would be rounded
/// and the next page would skip items.
fn scan_hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11).max(1)
}

/// Cursor, `MATCH`, `COUNT` and (for SCAN) `TYPE`.
struct ScanArgs {
    cursor: u64,
    pattern: Option<Vec<u8>>,
    count: usize,
    type_name: Option<String>,
}

fn parse(a: &mut Args, allow_type: bool) -> Result<ScanArgs, CmdError> {
    let cursor = std::str::from_utf8(&a.bytes()?)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| CmdError::err("invalid cursor"))?;
    let mut s = ScanArgs {
        cursor,
        pattern: None,
        count: 10,
        type_name: None,
    };
    while a.remaining() > 0 {
        if a.eat("MATCH") {
            s.pattern = Some(a.bytes()?);
        } else if a.eat("COUNT") {
            let n = a.int()?;
            if n < 1 {
                return Err(CmdError::syntax());
            }
            s.count = n as usize;
        } else if allow_type && a.eat("TYPE") {
            s.type_name = Some(String::from_utf8_lossy(&a.bytes()?).to_ascii_lowercase());
        } else {
            return Err(CmdError::syntax());
        }
    }
    Ok(s)
}

/// One batch: the items whose hash is at or after the cursor, `count` of them
/// (plus the rest of the last hash's items, so the next cursor never splits
/// items that share one), and the next cursor (0 when done).
fn batch<T>(items: impl Iterator<Item = (Vec<u8>, T)>, s: &ScanArgs) -> (u64, Vec<(Vec<u8>, T)>) {
    let mut all: Vec<(u64, Vec<u8>, T)> = items
        .map(|(name, v)| (scan_hash(&name), name, v))
        .filter(|(h, _, _)| *h >= s.cursor)
        .collect();
    all.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut end = all.len().min(s.count);
    while end > 0 && end < all.len() && all[end].0 == all[end - 1].0 {
        end += 1;
    }
    let next = all.get(end).map_or(0, |(h, _, _)| *h);
    all.truncate(end);
    let kept = all
        .into_iter()
        .filter(|(_, name, _)| s.pattern.as_ref().is_none_or(|p| glob_match(p, name)))
        .map(|(_, name, v)| (name, v))
        .collect();
    (next, kept)
}

fn reply(next: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![Reply::text(next.to_string()), Reply::Array(items)])
}

/// `SCAN cursor [MATCH pattern] [COUNT n] [TYPE t]`
pub fn scan(db: &mut Db, a: &mut Args) -> CmdResult {
    let s = parse(a, true)?;
    let keys: Vec<Vec<u8>> = db.keys().cloned().collect();
    let (next, found) = batch(keys.into_iter().map(|k| (k, ())), &s);
    let mut out = Vec::with_capacity(found.len());
    for (k, ()) in found {
        let type_ok = match &s.type_name {
            Some(t) => db.get(&k).is_some_and(|v| v.type_name() == t),
            None => true,
        };
        if type_ok {
            out.push(Reply::Bulk(k));
        }
    }
    Ok(reply(next, out))
}

/// `HSCAN key cursor [MATCH pattern] [COUNT n]`: field, value pairs.
pub fn hscan(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let s = parse(a, false)?;
    let Some(h) = db.hash(&key)? else {
        return Ok(reply(0, Vec::new()));
    };
    let (next, found) = batch(h.iter().map(|(f, v)| (f.clone(), v.clone())), &s);
    Ok(reply(
        next,
        found
            .into_iter()
            .flat_map(|(f, v)| [Reply::Bulk(f), Reply::Bulk(v)])
            .collect(),
    ))
}

/// `SSCAN key cursor [MATCH pattern] [COUNT n]`: members.
pub fn sscan(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let s = parse(a, false)?;
    let Some(set) = db.set(&key)? else {
        return Ok(reply(0, Vec::new()));
    };
    let (next, found) = batch(set.iter().map(|m| (m.clone(), ())), &s);
    Ok(reply(
        next,
        found.into_iter().map(|(m, ())| Reply::Bulk(m)).collect(),
    ))
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT n]`: member, score pairs.
pub fn zscan(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let s = parse(a, false)?;
    let Some(z) = db.zset(&key)? else {
        return Ok(reply(0, Vec::new()));
    };
    let (next, found) = batch(z.iter().map(|(m, sc)| (m.to_vec(), sc)), &s);
    Ok(reply(
        next,
        found
            .into_iter()
            .flat_map(|(m, sc)| [Reply::Bulk(m), Reply::text(fmt_score(sc))])
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::scan_hash;

    /// Every cursor is exact as a JavaScript number (at most 2^53).
    #[test]
    fn cursors_fit_a_javascript_number() {
        for i in 0..10_000u32 {
            let h = scan_hash(format!("bull:q:{i}").as_bytes());
            assert!((1..=(1u64 << 53)).contains(&h), "{h}");
        }
    }
}
