//! Cutting a stream of RESP2 bytes into whole replies, without I/O: the
//! caller owns the socket and hands over each chunk as it arrives
//! ([`Replies::feed`]); a reply split across chunks waits here until its last
//! byte is in. Each whole reply is decoded by redis-rs's own parser, so values
//! and error replies read exactly as on the engine's connections.

use redis::{RedisError, Value};

/// The partial tail of a reply stream (scanned again from its start as
/// bytes arrive: replies to adds are short).
#[derive(Debug, Default)]
pub struct Replies {
    buf: Vec<u8>,
}

impl Replies {
    /// An empty stream.
    pub fn new() -> Replies {
        Replies::default()
    }

    /// Appends `chunk` and returns every reply now complete, in order (error
    /// replies are `Value::ServerError`). A malformed stream is an error; the
    /// stream is then unusable (the caller drops its socket).
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<Value>, RedisError> {
        self.buf.extend_from_slice(chunk);
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(end) = reply_end(&self.buf, at)? {
            out.push(redis::parse_redis_value(&self.buf[at..end])?);
            at = end;
        }
        self.buf.drain(..at);
        Ok(out)
    }

    /// Whether bytes of an unfinished reply are waiting.
    pub fn has_partial(&self) -> bool {
        !self.buf.is_empty()
    }
}

fn malformed(what: &str) -> RedisError {
    RedisError::from((
        redis::ErrorKind::Parse,
        "malformed RESP reply",
        what.to_string(),
    ))
}

/// The end of the line starting at `at` (just past its CRLF), if complete.
fn line_end(buf: &[u8], at: usize) -> Option<usize> {
    buf.get(at..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|p| at + p + 2)
}

/// The length header (`$5`, `*3`) of the line `buf[at..end]`.
fn header_len(buf: &[u8], at: usize, end: usize) -> Result<i64, RedisError> {
    std::str::from_utf8(&buf[at + 1..end - 2])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| malformed("bad length"))
}

/// The end of the reply starting at `at`, or `None` while it is incomplete.
fn reply_end(buf: &[u8], at: usize) -> Result<Option<usize>, RedisError> {
    let Some(&kind) = buf.get(at) else {
        return Ok(None);
    };
    let Some(end) = line_end(buf, at) else {
        return Ok(None);
    };
    match kind {
        b'+' | b'-' | b':' => Ok(Some(end)),
        b'$' => {
            let n = header_len(buf, at, end)?;
            if n < 0 {
                return Ok(Some(end));
            }
            let total = end + n as usize + 2;
            Ok((buf.len() >= total).then_some(total))
        }
        b'*' => {
            let n = header_len(buf, at, end)?;
            let mut next = end;
            for _ in 0..n.max(0) {
                match reply_end(buf, next)? {
                    Some(e) => next = e,
                    None => return Ok(None),
                }
            }
            Ok(Some(next))
        }
        _ => Err(malformed("unknown reply type")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &[u8] =
        b"+OK\r\n$40\r\n0123456789012345678901234567890123456789\r\n*2\r\n$1\r\n7\r\n$2\r\n18\r\n-OOM no room\r\n*0\r\n:5\r\n$-1\r\n";

    fn all_at_once() -> Vec<Value> {
        Replies::new().feed(STREAM).unwrap()
    }

    #[test]
    fn whole_stream_gives_every_reply() {
        let v = all_at_once();
        assert_eq!(v.len(), 7);
        assert_eq!(v[0], Value::Okay);
        assert_eq!(
            v[2],
            Value::Array(vec![
                Value::BulkString(b"7".to_vec()),
                Value::BulkString(b"18".to_vec())
            ])
        );
        let e = v[3].clone().extract_error().unwrap_err();
        assert_eq!(e.code(), Some("OOM"));
        assert_eq!(v[5], Value::Int(5));
        assert_eq!(v[6], Value::Nil);
    }

    /// Split at every possible byte (and byte by byte): the same replies.
    #[test]
    fn any_split_gives_the_same_replies() {
        let whole = all_at_once();
        for cut in 0..STREAM.len() {
            let mut r = Replies::new();
            let mut got = r.feed(&STREAM[..cut]).unwrap();
            got.extend(r.feed(&STREAM[cut..]).unwrap());
            assert_eq!(got, whole, "cut at {cut}");
            assert!(!r.has_partial());
        }
        let mut r = Replies::new();
        let mut got = Vec::new();
        for b in STREAM {
            got.extend(r.feed(std::slice::from_ref(b)).unwrap());
        }
        assert_eq!(got, whole);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Replies::new().feed(b"?what\r\n").is_err());
        assert!(Replies::new().feed(b"$x\r\n").is_err());
    }
}
