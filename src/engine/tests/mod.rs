//! Engine tests against a real redis-server (started by `support`).

mod private_server;
pub(super) mod support;

mod add;
mod big_batches;
mod flow;
mod flow_tree;
mod manual;
mod outcomes;
mod process;
mod redis_errors;
mod redis_full;
mod scheduler;
mod script_cache;
mod scripts;
mod transitions;
