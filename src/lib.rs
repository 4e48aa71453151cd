//! ferroq: a BullMQ-compatible job queue for Node.js with its engine in Rust.
//!
//! # Layout
//! - [`engine`]: the pure-Rust queue engine (no napi types; `cargo test` runs it
//!   against a real redis-server).
//! - [`presets`]: the seed apps' recipes (learning tracker, email queues, admin
//!   endpoints), built only on the engine's public API.
//! - `binding` (feature `node`): the thin napi layer that exposes the engine to
//!   JS. The hand-written `index.js` wraps it in BullMQ's class shapes.

pub mod engine;
pub mod presets;

#[cfg(feature = "node")]
mod binding;
