//! The one place where engine errors become JS errors (with a stable `.code`)
//! and where JS failures become engine outcomes.

use napi::bindgen_prelude::*;
use napi::{Env, JsError};

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

/// Engine error → a JS Error object with `.code`, wrapped so a promise rejects with it.
fn js_error(env: &Env, e: &engine::Error) -> napi::Error {
    let err = JsError::from(coded(e)).into_unknown(*env);
    napi::Error::from(err)
}

/// Runs an engine future on napi's tokio runtime and returns a JS promise that
/// resolves with `map(value)` or rejects with a coded Error (not napi's generic one).
pub fn promise<'e, T, V, F, M>(env: &'e Env, fut: F, map: M) -> napi::Result<PromiseRaw<'e, V>>
where
    T: Send + 'static,
    V: ToNapiValue + 'e,
    F: std::future::Future<Output = engine::Result<T>> + Send + 'static,
    M: FnOnce(T) -> V + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, move |env, r| match r {
        Ok(v) => Ok(map(v)),
        Err(e) => Err(js_error(env, &e)),
    })
}
