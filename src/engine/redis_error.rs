//! What a failed Redis call means. Every error reply and connection failure
//! becomes an [`Error`] with its own code and a message that says what happened
//! and what to do about it ([`classify`]); [`is_server_condition`] tells the
//! worker and events loops which failures to wait out rather than blame on a job.
//!
//! Redis replies are recognised by their error code (the first word of the
//! reply): `OOM`, `READONLY`, `LOADING`, `BUSY`, `NOAUTH`, `WRONGPASS`,
//! `NOPERM`, `WRONGTYPE`. `NOSCRIPT` never reaches a caller: redis-rs loads the
//! script and runs it again.

use std::fmt;

use redis::{ErrorKind, RedisError, ServerErrorKind};

use super::error::{Error, ErrorCode};

/// A Redis error reply ferroq knows how to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisReply {
    /// `OOM`: over `maxmemory` with the `noeviction` policy; the write was refused.
    OutOfMemory,
    /// `READONLY`: the server is a replica (after a failover, the old master).
    ReadOnly,
    /// `LOADING`: the server is still loading its dataset after a (re)start.
    Loading,
    /// `BUSY`: a long-running script or function blocks the server.
    Busy,
    /// `NOAUTH`, `WRONGPASS`, `NOPERM` or a failed handshake.
    Auth {
        /// Redis's own words (never the password).
        detail: String,
    },
    /// `WRONGTYPE`: another program stored a different type at one of our keys.
    WrongType {
        /// The key, its type and the type ferroq keeps there, when found.
        key: Option<ForeignKey>,
    },
    /// Any other error reply.
    Other {
        /// The reply's code (`ERR`, `CROSSSLOT`, ...).
        code: String,
        /// The rest of the reply.
        detail: String,
    },
}

/// A key of ours that holds foreign data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    /// The full key name.
    pub key: String,
    /// What Redis says it holds (`string`, `hash`, ...).
    pub found: String,
    /// What ferroq (and BullMQ) keep there.
    pub expected: &'static str,
}

impl RedisReply {
    /// The stable code callers see.
    pub fn code(&self) -> ErrorCode {
        match self {
            RedisReply::OutOfMemory => ErrorCode::RedisOom,
            RedisReply::ReadOnly => ErrorCode::RedisReadOnly,
            RedisReply::Loading => ErrorCode::RedisLoading,
            RedisReply::Busy => ErrorCode::RedisBusy,
            RedisReply::Auth { .. } => ErrorCode::RedisAuth,
            RedisReply::WrongType { .. } => ErrorCode::WrongType,
            RedisReply::Other { .. } => ErrorCode::RedisReply,
        }
    }
}

impl fmt::Display for RedisReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedisReply::OutOfMemory => f.write_str(
                "Redis is out of memory (OOM: used memory is above 'maxmemory' and the policy is \
                 noeviction), so it refused this write and nothing was changed. Workers keep \
                 draining queues; memory comes back as finished jobs are removed \
                 (removeOnComplete / removeOnFail, queue.clean) or when maxmemory is raised. \
                 Retry then.",
            ),
            RedisReply::ReadOnly => f.write_str(
                "Redis is a read-only replica (READONLY) and refuses writes. ferroq reconnected \
                 once in case of a failover and reached a replica again: point the connection at \
                 the current master, or at an endpoint that follows failovers.",
            ),
            RedisReply::Loading => f.write_str(
                "Redis is still loading its dataset into memory (LOADING, e.g. after a restart) \
                 and answers no commands until it is done: retry shortly. Workers and QueueEvents \
                 wait and resume by themselves.",
            ),
            RedisReply::Busy => f.write_str(
                "Redis is busy running a long script or function (BUSY) and answers nothing else \
                 until it ends or is stopped with SCRIPT KILL / FUNCTION KILL: retry shortly.",
            ),
            RedisReply::Auth { detail } => write!(
                f,
                "Redis refused the connection's credentials or permissions ({detail}): check \
                 connection.username / connection.password and the user's ACL rules."
            ),
            RedisReply::WrongType { key: Some(k) } => write!(
                f,
                "Redis key \"{}\" holds a {}, but ferroq keeps a {} there (WRONGTYPE): another \
                 program wrote to this queue's keys. Remove or rename that key, or give this \
                 queue another prefix.",
                k.key, k.found, k.expected
            ),
            RedisReply::WrongType { key: None } => f.write_str(
                "a key of this queue holds a value of the wrong type (WRONGTYPE): another program \
                 wrote under the queue's prefix. Remove the foreign keys, or give this queue \
                 another prefix.",
            ),
            RedisReply::Other { code, detail } => {
                write!(f, "Redis answered with an error: {code} {detail}")
            }
        }
    }
}

/// What a redis-rs error means for the caller. Connection failures keep the
/// [`ErrorCode::Connection`] code; every error reply gets its own.
pub fn classify(e: RedisError) -> Error {
    if let Some(reply) = reply_of(&e) {
        return Error::Redis(reply);
    }
    match e.kind() {
        // redis-rs turns a refused AUTH during the handshake into this kind.
        ErrorKind::AuthenticationFailed => Error::Redis(RedisReply::Auth {
            detail: "WRONGPASS: the username/password pair was refused".into(),
        }),
        ErrorKind::UnexpectedReturnType | ErrorKind::Parse => Error::CorruptData {
            what: "a Redis reply".into(),
            reason: e.to_string(),
        },
        // I/O: refused, reset, timed out. The text carries the address when
        // the connection layer added it ([`with_address`]).
        _ => Error::Connection(connection_message(&e)),
    }
}

/// The first server error reply inside `e` (a plain reply or a pipeline's),
/// as a [`RedisReply`].
pub(crate) fn reply_of(e: &RedisError) -> Option<RedisReply> {
    let first = e.clone().into_server_errors()?;
    let (_, server) = first.first()?;
    let detail = server.details().unwrap_or("").to_string();
    Some(match server.code() {
        "OOM" => RedisReply::OutOfMemory,
        "READONLY" => RedisReply::ReadOnly,
        "LOADING" => RedisReply::Loading,
        "BUSY" => RedisReply::Busy,
        code @ ("NOAUTH" | "WRONGPASS" | "NOPERM") => RedisReply::Auth {
            detail: format!("{code} {detail}"),
        },
        // Before AUTH, Redis refuses long commands (a script call) this way.
        "ERR" if detail.starts_with("Protocol error: unauthenticated") => RedisReply::Auth {
            detail: format!("NOAUTH: {detail}"),
        },
        "WRONGTYPE" => RedisReply::WrongType {
            key: ForeignKey::decode(&detail),
        },
        code => RedisReply::Other {
            code: code.to_string(),
            detail,
        },
    })
}

/// Marks an I/O error built by [`with_address`]; its detail starts with the address.
const UNREACHABLE: &str = "ferroq: Redis unreachable";

/// `e` with the server's `host:port` added to its text, when it is an I/O
/// failure (never the password: only the address is used). The result keeps
/// the I/O kind, so it still counts as a dropped connection.
pub fn with_address(e: RedisError, addr: &str) -> RedisError {
    if e.kind() != ErrorKind::Io || e.to_string().starts_with(UNREACHABLE) {
        return e;
    }
    let what = e.to_string().replace(" (os error 111)", "").to_lowercase();
    RedisError::from((ErrorKind::Io, UNREACHABLE, format!("{addr}: {what}")))
}

fn connection_message(e: &RedisError) -> String {
    let text = e.to_string();
    match (text.starts_with(UNREACHABLE), e.detail()) {
        (true, Some(d)) => format!("cannot reach Redis at {d}"),
        _ => format!("cannot reach Redis: {text}"),
    }
}

/// Whether `e` is about the state of Redis or of the connection (out of
/// memory, loading, busy, read-only, credentials, unreachable) rather than
/// about the call's own data: such calls are retried later, never blamed on a job.
pub fn is_server_condition(e: &RedisError) -> bool {
    if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
        return true;
    }
    match e.kind() {
        ErrorKind::AuthenticationFailed | ErrorKind::ClusterConnectionNotFound => true,
        ErrorKind::Server(
            ServerErrorKind::BusyLoading
            | ServerErrorKind::ReadOnly
            | ServerErrorKind::TryAgain
            | ServerErrorKind::ClusterDown
            | ServerErrorKind::MasterDown
            | ServerErrorKind::NoPerm,
        ) => true,
        _ => matches!(
            reply_of(e),
            Some(
                RedisReply::OutOfMemory
                    | RedisReply::Busy
                    | RedisReply::Auth { .. }
                    | RedisReply::Loading
                    | RedisReply::ReadOnly
            )
        ),
    }
}

/// Whether `e` is a `READONLY` reply (the server became a replica).
pub fn is_read_only(e: &RedisError) -> bool {
    matches!(reply_of(e), Some(RedisReply::ReadOnly))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(text: &str) -> RedisError {
        let (code, detail) = text.split_once(' ').unwrap_or((text, ""));
        redis::make_extension_error(code.into(), Some(detail.into()))
    }

    #[test]
    fn each_reply_gets_its_code() {
        let cases = [
            (
                "OOM command not allowed when used memory > 'maxmemory'.",
                "ERR_FERROQ_REDIS_OOM",
            ),
            (
                "READONLY You can't write against a read only replica.",
                "ERR_FERROQ_REDIS_READONLY",
            ),
            (
                "LOADING Redis is loading the dataset in memory",
                "ERR_FERROQ_REDIS_LOADING",
            ),
            (
                "BUSY Redis is busy running a script.",
                "ERR_FERROQ_REDIS_BUSY",
            ),
            ("NOAUTH Authentication required.", "ERR_FERROQ_REDIS_AUTH"),
            (
                "WRONGPASS invalid username-password pair",
                "ERR_FERROQ_REDIS_AUTH",
            ),
            (
                "WRONGTYPE Operation against a key holding the wrong kind of value",
                "ERR_FERROQ_WRONG_TYPE",
            ),
            (
                "ERR Protocol error: unauthenticated multibulk length",
                "ERR_FERROQ_REDIS_AUTH",
            ),
            ("ERR something else", "ERR_FERROQ_REDIS_REPLY"),
        ];
        for (text, code) in cases {
            assert_eq!(classify(reply(text)).code().as_str(), code, "{text}");
        }
    }

    #[test]
    fn io_errors_name_the_address_and_stay_connection_errors() {
        let io = RedisError::from(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        ));
        let e = with_address(io, "127.0.0.1:6390");
        assert!(e.is_io_error() && e.is_connection_dropped());
        assert!(is_server_condition(&e));
        let err = classify(e);
        assert_eq!(err.code(), ErrorCode::Connection);
        assert_eq!(
            err.to_string(),
            "cannot reach Redis at 127.0.0.1:6390: connection refused"
        );
    }

    #[test]
    fn server_conditions_are_not_blamed_on_jobs() {
        assert!(is_server_condition(&reply("OOM command not allowed")));
        assert!(is_server_condition(&reply("BUSY Redis is busy")));
        assert!(!is_server_condition(&reply(
            "ERR user_script:1: Script attempted to access nonexistent global"
        )));
        assert!(!is_server_condition(&reply("WRONGTYPE Operation")));
    }
}
