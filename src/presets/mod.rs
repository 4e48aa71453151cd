//! App recipes the seed apps call directly, built only on the engine's public
//! API (no Lua, no key names, no napi). Presets may read environment variables;
//! each one that does names them in its docs.
#![forbid(unsafe_code)]

pub mod admin;
pub mod email_queues;
pub mod learning_tracker;
