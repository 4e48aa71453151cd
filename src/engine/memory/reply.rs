//! What every command reads and answers: its arguments ([`Args`]), its reply
//! ([`Reply`]) and its error ([`CmdError`], the text Redis would send, code first).

/// One command's answer, in RESP2 terms (what redis-rs and Lua both understand).
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A nil bulk string or nil array.
    Nil,
    /// An integer.
    Int(i64),
    /// A binary-safe string.
    Bulk(Vec<u8>),
    /// A status line such as `OK` or `PONG`.
    Status(String),
    /// An error line, code first (`ERR ...`, `WRONGTYPE ...`).
    Error(String),
    /// An array of replies.
    Array(Vec<Reply>),
}

impl Reply {
    /// The `+OK` status.
    pub fn ok() -> Reply {
        Reply::Status("OK".into())
    }

    /// A bulk string from text.
    pub fn text(s: impl Into<String>) -> Reply {
        Reply::Bulk(s.into().into_bytes())
    }

    /// A score as Redis prints it.
    pub fn score(f: f64) -> Reply {
        Reply::Bulk(fmt_score(f).into_bytes())
    }

    /// An array of bulk strings.
    pub fn bulks(items: impl IntoIterator<Item = Vec<u8>>) -> Reply {
        Reply::Array(items.into_iter().map(Reply::Bulk).collect())
    }

    /// A bulk string, or nil for `None`.
    pub fn maybe(v: Option<Vec<u8>>) -> Reply {
        v.map(Reply::Bulk).unwrap_or(Reply::Nil)
    }
}

impl From<Reply> for redis::Value {
    fn from(r: Reply) -> redis::Value {
        match r {
            Reply::Nil => redis::Value::Nil,
            Reply::Int(i) => redis::Value::Int(i),
            Reply::Bulk(b) => redis::Value::BulkString(b),
            Reply::Status(s) if s == "OK" => redis::Value::Okay,
            Reply::Status(s) => redis::Value::SimpleString(s),
            // redis-rs has no public constructor for a server error value; its
            // RESP parser builds one (with the right kind, e.g. NOSCRIPT) from
            // the line Redis would have sent.
            Reply::Error(e) => {
                let line = format!("-{}\r\n", e.replace(['\r', '\n'], " "));
                redis::parse_redis_value(line.as_bytes())
                    .unwrap_or_else(|_| redis::Value::SimpleString(e))
            }
            Reply::Array(items) => redis::Value::Array(items.into_iter().map(Into::into).collect()),
        }
    }
}

/// A command failure: the full error line Redis would send (code first).
#[derive(Debug, Clone, PartialEq)]
pub struct CmdError(pub String);

/// What command functions return.
pub type CmdResult = Result<Reply, CmdError>;

impl CmdError {
    /// `ERR <msg>`.
    pub fn err(msg: impl AsRef<str>) -> CmdError {
        CmdError(format!("ERR {}", msg.as_ref()))
    }
    /// A syntax error in the options.
    pub fn syntax() -> CmdError {
        CmdError::err("syntax error")
    }
    /// The key holds another type.
    pub fn wrong_type() -> CmdError {
        CmdError("WRONGTYPE Operation against a key holding the wrong kind of value".into())
    }
    /// An argument that should be an integer is not.
    pub fn not_int() -> CmdError {
        CmdError::err("value is not an integer or out of range")
    }
    /// An argument that should be a float is not.
    pub fn not_float() -> CmdError {
        CmdError::err("value is not a valid float")
    }
    /// The key does not exist where it must.
    pub fn no_such_key() -> CmdError {
        CmdError::err("no such key")
    }
}

impl From<CmdError> for Reply {
    fn from(e: CmdError) -> Reply {
        Reply::Error(e.0)
    }
}

/// A command's arguments after its name, read front to back.
#[derive(Debug)]
pub struct Args {
    name: String,
    items: Vec<Vec<u8>>,
    pos: usize,
}

impl Args {
    /// Wraps the arguments of command `name` (lower case, for messages).
    pub fn new(name: &str, items: Vec<Vec<u8>>) -> Args {
        Args {
            name: name.to_ascii_lowercase(),
            items,
            pos: 0,
        }
    }

    /// The command's name (lower case).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many arguments are left.
    pub fn remaining(&self) -> usize {
        self.items.len() - self.pos
    }

    /// The arity error for this command.
    pub fn arity(&self) -> CmdError {
        CmdError::err(format!(
            "wrong number of arguments for '{}' command",
            self.name
        ))
    }

    /// Fails with the arity error unless at least `n` arguments are left.
    pub fn need(&self, n: usize) -> Result<(), CmdError> {
        if self.remaining() < n {
            Err(self.arity())
        } else {
            Ok(())
        }
    }

    /// Fails with the arity error unless a non-empty, even number of arguments
    /// is left (field/value or score/member pairs).
    pub fn need_pairs(&self) -> Result<(), CmdError> {
        let n = self.remaining();
        if n == 0 || !n.is_multiple_of(2) {
            Err(self.arity())
        } else {
            Ok(())
        }
    }

    /// Fails with the arity error if arguments are left over.
    pub fn done(&self) -> Result<(), CmdError> {
        if self.remaining() > 0 {
            Err(self.arity())
        } else {
            Ok(())
        }
    }

    /// The next argument.
    pub fn bytes(&mut self) -> Result<Vec<u8>, CmdError> {
        if self.pos >= self.items.len() {
            return Err(self.arity());
        }
        self.pos += 1;
        Ok(std::mem::take(&mut self.items[self.pos - 1]))
    }

    /// The next argument as an integer.
    pub fn int(&mut self) -> Result<i64, CmdError> {
        parse_int(&self.bytes()?)
    }

    /// The next argument as a float (no NaN).
    pub fn float(&mut self) -> Result<f64, CmdError> {
        parse_float(&self.bytes()?)
    }

    /// Consumes the next argument if it equals `word` (case-insensitive).
    pub fn eat(&mut self, word: &str) -> bool {
        match self.items.get(self.pos) {
            Some(a) if a.eq_ignore_ascii_case(word.as_bytes()) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    /// The next argument, upper-cased, if any (not consumed).
    pub fn peek_word(&self) -> Option<String> {
        self.items
            .get(self.pos)
            .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
    }

    /// All remaining arguments.
    pub fn rest(&mut self) -> Vec<Vec<u8>> {
        let out = self.items.split_off(self.pos);
        self.pos = self.items.len();
        out
    }
}

/// Parses a decimal integer the way Redis does (no `+`, no spaces).
pub fn parse_int(b: &[u8]) -> Result<i64, CmdError> {
    if b.first() == Some(&b'+') {
        return Err(CmdError::not_int());
    }
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(CmdError::not_int)
}

/// Parses a float the way Redis does (`inf`, `-inf`, exponents; never NaN).
pub fn parse_float(b: &[u8]) -> Result<f64, CmdError> {
    let s = std::str::from_utf8(b).map_err(|_| CmdError::not_float())?;
    let f = match s.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
        "-inf" | "-infinity" => f64::NEG_INFINITY,
        t if t.contains("inf") || t.contains("nan") || t.is_empty() => {
            return Err(CmdError::not_float());
        }
        t => t.parse::<f64>().map_err(|_| CmdError::not_float())?,
    };
    Ok(f)
}

/// A double as Redis 7.0 replies with it: C's `%.17g` (`inf`/`-inf` for
/// infinities). Every score read back parses to the same double.
pub fn fmt_score(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // 17 significant digits in scientific form: d.dddddddddddddddde<exp>.
    let sci = format!("{f:.16e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    let trim = |s: String| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    // %g: scientific when the exponent is < -4 or >= the precision.
    if !(-4..17).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", trim(mantissa.to_string()), exp.abs())
    } else {
        let decimals = (16 - exp).max(0) as usize;
        trim(format!("{f:.decimals$}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_print_like_redis() {
        assert_eq!(fmt_score(1.0), "1");
        assert_eq!(fmt_score(1.5), "1.5");
        assert_eq!(fmt_score(0.1), "0.10000000000000001");
        assert_eq!(fmt_score(-2.5e-7), "-2.4999999999999999e-07");
        assert_eq!(fmt_score(7_000_000_000_000_123.0), "7000000000000123");
        assert_eq!(fmt_score(1e20), "1e+20");
        assert_eq!(fmt_score(123456.789), "123456.789");
        assert_eq!(fmt_score(1.2345678901234568e17), "1.2345678901234568e+17");
        assert_eq!(fmt_score(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn numbers_parse_strictly() {
        assert_eq!(parse_int(b"-12"), Ok(-12));
        assert!(parse_int(b"+1").is_err());
        assert!(parse_int(b"1.5").is_err());
        assert_eq!(parse_float(b"-inf"), Ok(f64::NEG_INFINITY));
        assert_eq!(parse_float(b"2.5e3"), Ok(2500.0));
        assert!(parse_float(b"nan").is_err());
        assert!(parse_float(b"").is_err());
    }

    #[test]
    fn error_replies_keep_their_kind_for_redis_rs() {
        let v: redis::Value = Reply::Error("NOSCRIPT No matching script".into()).into();
        let e: redis::RedisError = match v {
            redis::Value::ServerError(e) => e.into(),
            other => panic!("not an error value: {other:?}"),
        };
        assert_eq!(
            e.kind(),
            redis::ErrorKind::Server(redis::ServerErrorKind::NoScript)
        );
    }
}
