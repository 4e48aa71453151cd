//! XREAD's reading half: parse once, pin `$`, then poll; blocking is layered
//! on top in `blocking.rs`.

use super::db::Db;
use super::reply::{Args, CmdError, Reply};
use super::stream::{StreamId, parse_id};

/// A parsed `XREAD [COUNT n] [BLOCK ms] STREAMS key ... id ...`.
#[derive(Debug, Clone)]
pub struct XRead {
    /// At most this many entries per stream.
    pub count: usize,
    /// Block for this many ms (0 = forever) when nothing is there yet.
    pub block_ms: Option<u64>,
    /// The streams and the id after which to read (`None` for `$`).
    pub streams: Vec<(Vec<u8>, Option<StreamId>)>,
}

impl XRead {
    /// Parses XREAD's arguments.
    pub fn parse(a: &mut Args) -> Result<XRead, CmdError> {
        let mut count = usize::MAX;
        let mut block_ms = None;
        loop {
            if a.eat("COUNT") {
                count = a.int()?.max(1) as usize;
            } else if a.eat("BLOCK") {
                let ms = a.int()?;
                if ms < 0 {
                    return Err(CmdError::err("timeout is negative"));
                }
                block_ms = Some(ms as u64);
            } else if a.eat("STREAMS") {
                break;
            } else {
                return Err(CmdError::syntax());
            }
        }
        let rest = a.rest();
        if rest.is_empty() || !rest.len().is_multiple_of(2) {
            return Err(CmdError::err(
                "Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
            ));
        }
        let (keys, ids) = rest.split_at(rest.len() / 2);
        let mut streams = Vec::with_capacity(keys.len());
        for (k, id) in keys.iter().zip(ids) {
            let after = if id == b"$" {
                None
            } else {
                Some(parse_id(id, 0)?)
            };
            streams.push((k.clone(), after));
        }
        Ok(XRead {
            count,
            block_ms,
            streams,
        })
    }

    /// Pins every `$` to the stream's current last id (done once, when the
    /// blocking read starts, so later entries count as new).
    pub fn pin_dollar(&mut self, db: &mut Db) -> Result<(), CmdError> {
        for (key, after) in &mut self.streams {
            if after.is_none() {
                *after = Some(db.stream(key)?.map(|s| s.last_id()).unwrap_or_default());
            }
        }
        Ok(())
    }

    /// The entries there now, or `None` when every stream has nothing new.
    pub fn poll(&self, db: &mut Db) -> Result<Option<Reply>, CmdError> {
        let mut out = Vec::new();
        for (key, after) in &self.streams {
            let Some(s) = db.stream(key)? else { continue };
            let after = after.unwrap_or_else(|| s.last_id());
            let items = s.read_after(after, self.count);
            if !items.is_empty() {
                out.push(Reply::Array(vec![
                    Reply::Bulk(key.clone()),
                    Reply::Array(items),
                ]));
            }
        }
        Ok((!out.is_empty()).then_some(Reply::Array(out)))
    }
}
