//! Engine errors as the errors sync native methods throw (with a stable
//! `.code`). Async answers carry the code through the channel instead
//! (`channel.rs`), and JS builds the Error where the caller awaits.

use napi::bindgen_prelude::*;

use crate::engine;

/// A napi error status carrying ferroq's stable code string, so sync methods
/// throw errors whose `.code` is e.g. `ERR_FERROQ_INVALID_OPTION`.
#[derive(Debug, Clone)]
pub struct Code(pub String);

impl AsRef<str> for Code {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Status> for Code {
    fn from(s: Status) -> Self {
        Code(s.as_ref().to_string())
    }
}

/// Engine error → napi error with ferroq's code.
pub fn coded(e: &engine::Error) -> napi::Error<Code> {
    napi::Error::new(Code(e.code().as_str().to_string()), e.to_string())
}

/// An invalid-option error raised by the binding itself.
pub fn invalid(field: &str, reason: impl Into<String>) -> napi::Error<Code> {
    coded(&engine::Error::invalid(field, reason))
}
