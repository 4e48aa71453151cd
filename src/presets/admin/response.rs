//! What a request answers: [`AdminResponse`] (status, JSON body, `Allow`) and
//! [`ApiError`], the status and message of a failed request, including how each
//! engine error code maps to an HTTP status.

use serde_json::{Value, json};

use crate::engine::{self, ErrorCode};

/// A status and JSON body to send.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminResponse {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
    /// The `Allow` header of a 405.
    pub allow: Option<&'static str>,
}

/// A failed request: its status and the message the envelope carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for the `message` field.
    pub message: String,
}

impl ApiError {
    /// A 400 with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// An error with any status.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl From<engine::Error> for ApiError {
    fn from(e: engine::Error) -> Self {
        let status = match e.code() {
            ErrorCode::JobNotFound | ErrorCode::ParentNotFound => 404,
            ErrorCode::InvalidOption | ErrorCode::CrossSlot => 400,
            ErrorCode::NotInState
            | ErrorCode::LockMismatch
            | ErrorCode::JobLocked
            | ErrorCode::SchedulerJob
            | ErrorCode::SchedulerCollision
            | ErrorCode::ParentConflict
            | ErrorCode::PendingChildren
            | ErrorCode::FailedChildren => 409,
            ErrorCode::Connection
            | ErrorCode::Closed
            | ErrorCode::RedisOom
            | ErrorCode::RedisReadOnly
            | ErrorCode::RedisLoading
            | ErrorCode::RedisBusy
            | ErrorCode::RedisAuth => 503,
            ErrorCode::Script
            | ErrorCode::CorruptData
            | ErrorCode::WrongType
            | ErrorCode::RedisReply
            | ErrorCode::NotInitialized => 500,
        };
        ApiError::new(status, e.to_string())
    }
}

/// The `{ success: false, message, data: null }` envelope of a failed request.
pub(super) fn failure(e: ApiError, allow: Option<&'static str>) -> AdminResponse {
    AdminResponse {
        status: e.status,
        body: json!({ "success": false, "message": e.message, "data": null }),
        allow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_http_statuses() {
        let s = |e: engine::Error| ApiError::from(e).status;
        assert_eq!(
            s(engine::Error::JobNotFound {
                id: "1".into(),
                command: "promote"
            }),
            404
        );
        assert_eq!(s(engine::Error::invalid("type", "x")), 400);
        assert_eq!(
            s(engine::Error::NotInState {
                id: "1".into(),
                expected: "failed",
                command: "reprocess_job"
            }),
            409
        );
        assert_eq!(s(engine::Error::Connection("refused".into())), 503);
        assert_eq!(s(engine::Error::Closed("queue")), 503);
    }
}
