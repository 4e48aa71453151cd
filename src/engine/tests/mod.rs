//! Engine tests against a real redis-server (started by `support`).

pub(super) mod support;

mod add;
mod outcomes;
mod process;
mod scripts;
mod transitions;
