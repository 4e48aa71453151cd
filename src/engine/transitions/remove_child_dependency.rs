//! `lua/remove_child_dependency.lua`: a pending child leaves its parent's flow
//! (BullMQ's `job.removeChildDependency`).

use super::{Call, ScriptCode};
use crate::engine::error::{Error, Result};
use crate::engine::queue::Queue;
use crate::engine::scripts;

/// KEYS of `remove_child_dependency` (it has no ARGV).
#[derive(Debug, Clone, Copy)]
pub struct RemoveChildDependency<'a> {
    /// The child's id in the queue the transition runs on.
    pub job_id: &'a str,
    /// The parent's full key (`<prefix>:<queue>:<id>`).
    pub parent_key: &'a str,
}

impl RemoveChildDependency<'_> {
    /// Takes the child out of the parent's pending dependencies: true when it
    /// did, false when it was not pending there. A missing job or parent is
    /// an error with BullMQ's text.
    pub async fn run(&self, q: &Queue) -> Result<bool> {
        let job_key = q.keys().job(self.job_id);
        let reply: i64 = Call::new(
            &scripts::REMOVE_CHILD_DEPENDENCY,
            &[&job_key, self.parent_key],
        )
        .invoke(q)
        .await?;
        match reply {
            0 => Ok(true),
            1 => Ok(false),
            c if c == ScriptCode::ParentJobNotExist.code() => Err(Error::from_script_code(
                scripts::REMOVE_CHILD_DEPENDENCY.name,
                c,
                self.parent_key,
                "any",
            )),
            c => Err(Error::from_script_code(
                scripts::REMOVE_CHILD_DEPENDENCY.name,
                c,
                self.job_id,
                "any",
            )),
        }
    }
}
