//! Blocking commands: BZPOPMIN/BZPOPMAX, BLPOP/BRPOP, BRPOPLPUSH/BLMOVE and
//! XREAD BLOCK. Each is parsed once into a [`BlockingCall`]; an attempt is its
//! non-blocking form. Inside scripts and pipelines only one attempt is made
//! (as Redis does there); on a connection the caller waits for a wake-up from
//! the keys (see `Db::signal`) or the timeout, then tries again.

use std::time::Duration;

use super::db::Db;
use super::lists;
use super::reply::{Args, CmdError, Reply, parse_float};
use super::sorted_sets;
use super::xread::XRead;

enum Kind {
    ZPop {
        keys: Vec<Vec<u8>>,
        max: bool,
    },
    ListPop {
        keys: Vec<Vec<u8>>,
        left: bool,
    },
    Move {
        src: Vec<u8>,
        dst: Vec<u8>,
        from_left: bool,
        to_left: bool,
    },
    Read(XRead),
}

/// One parsed blocking command.
pub struct BlockingCall {
    kind: Kind,
    /// How long to wait; `None` waits until data arrives.
    pub timeout: Option<Duration>,
    /// False for XREAD without BLOCK: one attempt, then nil.
    pub blocks: bool,
}

/// A timeout in seconds (fractions allowed; 0 means forever).
fn seconds(b: &[u8]) -> Result<Option<Duration>, CmdError> {
    let s = parse_float(b).map_err(|_| CmdError::err("timeout is not a float or out of range"))?;
    if s < 0.0 {
        return Err(CmdError::err("timeout is negative"));
    }
    if !s.is_finite() || s > 1e9 {
        return Err(CmdError::err("timeout is out of range"));
    }
    Ok((s > 0.0).then(|| Duration::from_secs_f64(s)))
}

impl BlockingCall {
    /// Parses a blocking command (or XREAD); `Ok(None)` when `name` (upper
    /// case) is not one.
    pub fn parse(name: &str, a: &mut Args) -> Result<Option<BlockingCall>, CmdError> {
        let mut blocks = true;
        let (kind, timeout) = match name {
            "BZPOPMIN" | "BZPOPMAX" | "BLPOP" | "BRPOP" => {
                a.need(2)?;
                let mut keys = a.rest();
                let timeout = seconds(&keys.pop().expect("two or more"))?;
                let kind = match name {
                    "BZPOPMIN" | "BZPOPMAX" => Kind::ZPop {
                        keys,
                        max: name == "BZPOPMAX",
                    },
                    _ => Kind::ListPop {
                        keys,
                        left: name == "BLPOP",
                    },
                };
                (kind, timeout)
            }
            "BRPOPLPUSH" | "BLMOVE" => {
                let src = a.bytes()?;
                let dst = a.bytes()?;
                let (from_left, to_left) = if name == "BLMOVE" {
                    (lists::side(a)?, lists::side(a)?)
                } else {
                    (false, true)
                };
                let timeout = seconds(&a.bytes()?)?;
                a.done()?;
                (
                    Kind::Move {
                        src,
                        dst,
                        from_left,
                        to_left,
                    },
                    timeout,
                )
            }
            "XREAD" => {
                let read = XRead::parse(a)?;
                blocks = read.block_ms.is_some();
                let ms = read.block_ms.unwrap_or(0);
                let timeout = (ms > 0).then(|| Duration::from_millis(ms));
                (Kind::Read(read), timeout)
            }
            _ => return Ok(None),
        };
        Ok(Some(BlockingCall {
            kind,
            timeout,
            blocks,
        }))
    }

    /// The keys whose new data can satisfy this call.
    pub fn keys(&self) -> Vec<Vec<u8>> {
        match &self.kind {
            Kind::ZPop { keys, .. } | Kind::ListPop { keys, .. } => keys.clone(),
            Kind::Move { src, .. } => vec![src.clone()],
            Kind::Read(r) => r.streams.iter().map(|(k, _)| k.clone()).collect(),
        }
    }

    /// Fixes what "new" means before the first attempt (XREAD's `$`).
    pub fn start(&mut self, db: &mut Db) -> Result<(), CmdError> {
        match &mut self.kind {
            Kind::Read(r) => r.pin_dollar(db),
            _ => Ok(()),
        }
    }

    /// One non-blocking attempt: the reply, or `None` if there is nothing yet.
    pub fn attempt(&self, db: &mut Db) -> Result<Option<Reply>, CmdError> {
        match &self.kind {
            Kind::ZPop { keys, max } => {
                for k in keys {
                    if let Some((m, s)) = sorted_sets::pop(db, k, *max, 1)?.pop() {
                        return Ok(Some(Reply::Array(vec![
                            Reply::Bulk(k.clone()),
                            Reply::Bulk(m),
                            Reply::score(s),
                        ])));
                    }
                }
                Ok(None)
            }
            Kind::ListPop { keys, left } => {
                for k in keys {
                    if let Some(item) = lists::pop(db, k, *left, 1)?.pop() {
                        return Ok(Some(Reply::Array(vec![
                            Reply::Bulk(k.clone()),
                            Reply::Bulk(item),
                        ])));
                    }
                }
                Ok(None)
            }
            Kind::Move {
                src,
                dst,
                from_left,
                to_left,
            } => Ok(lists::lmove_once(db, src, dst, *from_left, *to_left)?.map(Reply::Bulk)),
            Kind::Read(r) => r.poll(db),
        }
    }

    /// The reply when the wait ends with nothing (always nil, as in RESP2).
    pub fn timed_out() -> Reply {
        Reply::Nil
    }
}
