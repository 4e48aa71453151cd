//! The stream type and its commands: XADD (with MAXLEN/MINID trimming), XLEN,
//! XRANGE, XREVRANGE, XTRIM, XDEL. XREAD is in `xread.rs`.
//!
//! Approximate trimming (`MAXLEN ~ n`) trims exactly to `n`: Redis promises only
//! "at least n entries remain", which an exact trim keeps.

use std::collections::BTreeMap;
use std::fmt;

use super::db::Db;
use super::reply::{Args, CmdError, CmdResult, Reply, parse_int};

/// A stream entry id: milliseconds and a sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct StreamId {
    /// Milliseconds part.
    pub ms: u64,
    /// Sequence part.
    pub seq: u64,
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

const MAX_ID: StreamId = StreamId {
    ms: u64::MAX,
    seq: u64::MAX,
};

/// A stream: entries in id order, each a flat field/value list.
#[derive(Debug, Clone, Default)]
pub struct Stream {
    entries: BTreeMap<StreamId, Vec<Vec<u8>>>,
    last_id: StreamId,
}

impl Stream {
    /// The newest id ever added (kept when entries are trimmed or deleted).
    pub fn last_id(&self) -> StreamId {
        self.last_id
    }

    /// Entries with ids in `[from, to]`, ascending.
    fn range(
        &self,
        from: StreamId,
        to: StreamId,
    ) -> impl DoubleEndedIterator<Item = (&StreamId, &Vec<Vec<u8>>)> {
        (from <= to)
            .then(|| self.entries.range(from..=to))
            .into_iter()
            .flatten()
    }

    /// Entries strictly after `after`, oldest first, at most `count`.
    pub fn read_after(&self, after: StreamId, count: usize) -> Vec<Reply> {
        let next = successor(after);
        match next {
            Some(from) => self
                .range(from, MAX_ID)
                .take(count)
                .map(entry_reply)
                .collect(),
            None => Vec::new(),
        }
    }

    fn trim(&mut self, t: &Trim) -> i64 {
        let mut removed = 0;
        loop {
            let drop = match (t, self.entries.first_key_value()) {
                (_, None) => false,
                (Trim::MaxLen(n), _) => self.entries.len() > *n,
                (Trim::MinId(min), Some((id, _))) => id < min,
            };
            if !drop {
                return removed;
            }
            self.entries.pop_first();
            removed += 1;
        }
    }
}

fn successor(id: StreamId) -> Option<StreamId> {
    if id.seq < u64::MAX {
        Some(StreamId {
            ms: id.ms,
            seq: id.seq + 1,
        })
    } else if id.ms < u64::MAX {
        Some(StreamId {
            ms: id.ms + 1,
            seq: 0,
        })
    } else {
        None
    }
}

fn predecessor(id: StreamId) -> Option<StreamId> {
    if id.seq > 0 {
        Some(StreamId {
            ms: id.ms,
            seq: id.seq - 1,
        })
    } else if id.ms > 0 {
        Some(StreamId {
            ms: id.ms - 1,
            seq: u64::MAX,
        })
    } else {
        None
    }
}

fn entry_reply((id, fields): (&StreamId, &Vec<Vec<u8>>)) -> Reply {
    Reply::Array(vec![
        Reply::text(id.to_string()),
        Reply::bulks(fields.iter().cloned()),
    ])
}

fn invalid_id() -> CmdError {
    CmdError::err("Invalid stream ID specified as stream command argument")
}

/// Parses `ms-seq`, or `ms` alone with `default_seq` as its sequence.
pub fn parse_id(b: &[u8], default_seq: u64) -> Result<StreamId, CmdError> {
    let s = std::str::from_utf8(b).map_err(|_| invalid_id())?;
    let (ms, seq) = match s.split_once('-') {
        Some((ms, seq)) => (ms, seq.parse::<u64>().map_err(|_| invalid_id())?),
        None => (s, default_seq),
    };
    Ok(StreamId {
        ms: ms.parse::<u64>().map_err(|_| invalid_id())?,
        seq,
    })
}

/// A range end for XRANGE/XREVRANGE: `-`, `+`, `(id` (exclusive), `id` or `ms`.
fn parse_range_end(b: &[u8], is_start: bool) -> Result<Option<StreamId>, CmdError> {
    match b {
        b"-" => return Ok(Some(StreamId::default())),
        b"+" => return Ok(Some(MAX_ID)),
        _ => {}
    }
    let default_seq = if is_start { 0 } else { u64::MAX };
    match b.strip_prefix(b"(") {
        Some(rest) => {
            let id = parse_id(rest, default_seq)?;
            Ok(if is_start {
                successor(id)
            } else {
                predecessor(id)
            })
        }
        None => parse_id(b, default_seq).map(Some),
    }
}

enum Trim {
    MaxLen(usize),
    MinId(StreamId),
}

/// Reads `MAXLEN|MINID [=|~] threshold [LIMIT n]` if present.
fn parse_trim(a: &mut Args) -> Result<Option<Trim>, CmdError> {
    let maxlen = a.eat("MAXLEN");
    if !maxlen && !a.eat("MINID") {
        return Ok(None);
    }
    let _ = a.eat("=") || a.eat("~");
    let threshold = a.bytes()?;
    let trim = if maxlen {
        let n = parse_int(&threshold)?;
        if n < 0 {
            return Err(CmdError::err("The MAXLEN argument must be >= 0."));
        }
        Trim::MaxLen(n as usize)
    } else {
        Trim::MinId(parse_id(&threshold, 0)?)
    };
    if a.eat("LIMIT") {
        a.int()?;
    }
    Ok(Some(trim))
}

/// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] n [LIMIT c]] *|id field value ...`
pub fn xadd(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let nomkstream = a.eat("NOMKSTREAM");
    let trim = parse_trim(a)?;
    let id_arg = a.bytes()?;
    a.need_pairs()?;
    if nomkstream && !db.exists(&key) {
        return Ok(Reply::Nil);
    }
    let now = db.now_ms();
    let last = db.stream(&key)?.map(|s| s.last_id).unwrap_or_default();
    let id = if id_arg == b"*" {
        if now > last.ms {
            StreamId { ms: now, seq: 0 }
        } else {
            successor(last).ok_or_else(|| {
                CmdError::err(
                    "The stream has exhausted the last possible ID, unable to add more items",
                )
            })?
        }
    } else if let Some(ms) = id_arg.strip_suffix(b"-*") {
        let ms = parse_id(ms, 0)?.ms;
        match ms.cmp(&last.ms) {
            std::cmp::Ordering::Greater => StreamId { ms, seq: 0 },
            std::cmp::Ordering::Equal if last.seq < u64::MAX => StreamId {
                ms,
                seq: last.seq + 1,
            },
            _ => return Err(too_small()),
        }
    } else {
        parse_id(&id_arg, 0)?
    };
    if id == StreamId::default() {
        return Err(CmdError::err(
            "The ID specified in XADD must be greater than 0-0",
        ));
    }
    if id <= last {
        return Err(too_small());
    }
    let s = db.stream_or_new(&key)?;
    s.entries.insert(id, a.rest());
    s.last_id = id;
    if let Some(t) = trim {
        s.trim(&t);
    }
    db.signal(&key);
    Ok(Reply::text(id.to_string()))
}

fn too_small() -> CmdError {
    CmdError::err("The ID specified in XADD is equal or smaller than the target stream top item")
}

/// `XLEN key`
pub fn xlen(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.done()?;
    Ok(Reply::Int(
        db.stream(&key)?.map_or(0, |s| s.entries.len() as i64),
    ))
}

fn count_opt(a: &mut Args) -> Result<usize, CmdError> {
    if a.eat("COUNT") {
        let n = a.int()?;
        return Ok(if n < 0 { 0 } else { n as usize });
    }
    a.done()?;
    Ok(usize::MAX)
}

/// `XRANGE key start end [COUNT n]`
pub fn xrange(db: &mut Db, a: &mut Args) -> CmdResult {
    range_cmd(db, a, false)
}

/// `XREVRANGE key end start [COUNT n]`
pub fn xrevrange(db: &mut Db, a: &mut Args) -> CmdResult {
    range_cmd(db, a, true)
}

fn range_cmd(db: &mut Db, a: &mut Args, rev: bool) -> CmdResult {
    let key = a.bytes()?;
    let first = a.bytes()?;
    let second = a.bytes()?;
    let (start, end) = if rev {
        (second, first)
    } else {
        (first, second)
    };
    let start = parse_range_end(&start, true)?;
    let end = parse_range_end(&end, false)?;
    let count = count_opt(a)?;
    let Some(s) = db.stream(&key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let (Some(start), Some(end)) = (start, end) else {
        return Ok(Reply::Array(Vec::new()));
    };
    let items: Vec<Reply> = if rev {
        s.range(start, end)
            .rev()
            .take(count)
            .map(entry_reply)
            .collect()
    } else {
        s.range(start, end).take(count).map(entry_reply).collect()
    };
    Ok(Reply::Array(items))
}

/// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT n]`
pub fn xtrim(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    let trim = parse_trim(a)?.ok_or_else(CmdError::syntax)?;
    a.done()?;
    Ok(Reply::Int(
        db.stream_mut(&key)?.map_or(0, |s| s.trim(&trim)),
    ))
}

/// `XDEL key id [id ...]`
pub fn xdel(db: &mut Db, a: &mut Args) -> CmdResult {
    let key = a.bytes()?;
    a.need(1)?;
    let ids = a
        .rest()
        .iter()
        .map(|b| parse_id(b, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(s) = db.stream_mut(&key)? else {
        return Ok(Reply::Int(0));
    };
    Ok(Reply::Int(
        ids.iter()
            .filter(|id| s.entries.remove(id).is_some())
            .count() as i64,
    ))
}
