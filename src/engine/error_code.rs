//! [`ErrorCode`]: the one list of the stable `ERR_FERROQ_*` codes JS sees as
//! `err.code`. Every code the binding or the JS facade throws is here; the
//! binding exports the list as `errorCodes`, and a Jest spec checks that no
//! code outside it appears in the tree.

use std::fmt;

/// Stable, public error codes. They are part of the JS API and are never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// `ERR_FERROQ_JOB_NOT_FOUND`
    JobNotFound,
    /// `ERR_FERROQ_LOCK_MISMATCH`
    LockMismatch,
    /// `ERR_FERROQ_NOT_IN_STATE`
    NotInState,
    /// `ERR_FERROQ_INVALID_OPTION`
    InvalidOption,
    /// `ERR_FERROQ_CONNECTION`
    Connection,
    /// `ERR_FERROQ_CLOSED`
    Closed,
    /// `ERR_FERROQ_SCRIPT`
    Script,
    /// `ERR_FERROQ_CORRUPT_DATA`
    CorruptData,
    /// `ERR_FERROQ_SCHEDULER_JOB`
    SchedulerJob,
    /// `ERR_FERROQ_JOB_LOCKED`
    JobLocked,
    /// `ERR_FERROQ_SCHEDULER_COLLISION`
    SchedulerCollision,
    /// `ERR_FERROQ_REDIS_OOM`: Redis is out of memory and refused a write.
    RedisOom,
    /// `ERR_FERROQ_REDIS_READONLY`: the server is a read-only replica.
    RedisReadOnly,
    /// `ERR_FERROQ_REDIS_LOADING`: Redis is loading its dataset.
    RedisLoading,
    /// `ERR_FERROQ_REDIS_BUSY`: a long script blocks Redis.
    RedisBusy,
    /// `ERR_FERROQ_REDIS_AUTH`: credentials or ACL permissions refused.
    RedisAuth,
    /// `ERR_FERROQ_WRONG_TYPE`: foreign data at one of the queue's keys.
    WrongType,
    /// `ERR_FERROQ_REDIS_REPLY`: any other Redis error reply.
    RedisReply,
    /// `ERR_FERROQ_PARENT_NOT_FOUND`
    ParentNotFound,
    /// `ERR_FERROQ_PARENT_CONFLICT`
    ParentConflict,
    /// `ERR_FERROQ_PENDING_CHILDREN`
    PendingChildren,
    /// `ERR_FERROQ_FAILED_CHILDREN`
    FailedChildren,
    /// `ERR_FERROQ_CROSS_SLOT`
    CrossSlot,
    /// `ERR_FERROQ_NOT_INITIALIZED`: a preset's module-level function was called
    /// before its `init...()`. Thrown by the JS facade; listed here so that every
    /// code JS sees comes from this one list.
    NotInitialized,
}

impl ErrorCode {
    /// Every code, for listings.
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::JobNotFound,
        ErrorCode::LockMismatch,
        ErrorCode::NotInState,
        ErrorCode::InvalidOption,
        ErrorCode::Connection,
        ErrorCode::Closed,
        ErrorCode::Script,
        ErrorCode::CorruptData,
        ErrorCode::SchedulerJob,
        ErrorCode::JobLocked,
        ErrorCode::SchedulerCollision,
        ErrorCode::RedisOom,
        ErrorCode::RedisReadOnly,
        ErrorCode::RedisLoading,
        ErrorCode::RedisBusy,
        ErrorCode::RedisAuth,
        ErrorCode::WrongType,
        ErrorCode::RedisReply,
        ErrorCode::ParentNotFound,
        ErrorCode::ParentConflict,
        ErrorCode::PendingChildren,
        ErrorCode::FailedChildren,
        ErrorCode::CrossSlot,
        ErrorCode::NotInitialized,
    ];

    /// The code string JS sees as `err.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::JobNotFound => "ERR_FERROQ_JOB_NOT_FOUND",
            ErrorCode::LockMismatch => "ERR_FERROQ_LOCK_MISMATCH",
            ErrorCode::NotInState => "ERR_FERROQ_NOT_IN_STATE",
            ErrorCode::InvalidOption => "ERR_FERROQ_INVALID_OPTION",
            ErrorCode::Connection => "ERR_FERROQ_CONNECTION",
            ErrorCode::Closed => "ERR_FERROQ_CLOSED",
            ErrorCode::Script => "ERR_FERROQ_SCRIPT",
            ErrorCode::CorruptData => "ERR_FERROQ_CORRUPT_DATA",
            ErrorCode::SchedulerJob => "ERR_FERROQ_SCHEDULER_JOB",
            ErrorCode::JobLocked => "ERR_FERROQ_JOB_LOCKED",
            ErrorCode::SchedulerCollision => "ERR_FERROQ_SCHEDULER_COLLISION",
            ErrorCode::RedisOom => "ERR_FERROQ_REDIS_OOM",
            ErrorCode::RedisReadOnly => "ERR_FERROQ_REDIS_READONLY",
            ErrorCode::RedisLoading => "ERR_FERROQ_REDIS_LOADING",
            ErrorCode::RedisBusy => "ERR_FERROQ_REDIS_BUSY",
            ErrorCode::RedisAuth => "ERR_FERROQ_REDIS_AUTH",
            ErrorCode::WrongType => "ERR_FERROQ_WRONG_TYPE",
            ErrorCode::RedisReply => "ERR_FERROQ_REDIS_REPLY",
            ErrorCode::ParentNotFound => "ERR_FERROQ_PARENT_NOT_FOUND",
            ErrorCode::ParentConflict => "ERR_FERROQ_PARENT_CONFLICT",
            ErrorCode::PendingChildren => "ERR_FERROQ_PENDING_CHILDREN",
            ErrorCode::FailedChildren => "ERR_FERROQ_FAILED_CHILDREN",
            ErrorCode::CrossSlot => "ERR_FERROQ_CROSS_SLOT",
            ErrorCode::NotInitialized => "ERR_FERROQ_NOT_INITIALIZED",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
