//! BullMQ's job state names.

use crate::engine::error::{Error, Result};
use crate::engine::keys::QueueKeys;

/// The states BullMQ reports from `getState()`.
pub const JOB_STATES: [&str; 8] = [
    "completed",
    "failed",
    "delayed",
    "prioritized",
    "active",
    "waiting",
    "waiting-children",
    "unknown",
];

/// The two states a job ends in, whose jobs can be retried, counted in
/// metrics and cleaned by finish time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinishedState {
    /// `completed`
    Completed,
    /// `failed`
    Failed,
}

impl FinishedState {
    /// Reads `completed` or `failed`; anything else is an invalid `field`.
    pub fn parse(state: &str, field: &str) -> Result<FinishedState> {
        match state {
            "completed" => Ok(FinishedState::Completed),
            "failed" => Ok(FinishedState::Failed),
            other => Err(Error::invalid(
                field,
                format!("must be 'completed' or 'failed', got \"{other}\""),
            )),
        }
    }

    /// BullMQ's name of the state.
    pub fn name(self) -> &'static str {
        match self {
            FinishedState::Completed => "completed",
            FinishedState::Failed => "failed",
        }
    }

    /// The state's sorted set (scored by finish time).
    pub fn key(self, k: &QueueKeys) -> &str {
        match self {
            FinishedState::Completed => &k.completed,
            FinishedState::Failed => &k.failed,
        }
    }

    /// The job hash field that holds the outcome (`returnvalue` or `failedReason`).
    pub fn result_field(self) -> &'static str {
        match self {
            FinishedState::Completed => "returnvalue",
            FinishedState::Failed => "failedReason",
        }
    }
}
