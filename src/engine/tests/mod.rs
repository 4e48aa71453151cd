//! Engine tests against a real redis-server (started by `support`).

pub(super) mod support;

mod add;
mod outcomes;
mod process;
mod scheduler;
mod scripts;
mod transitions;
