//! The Lua transitions, one const each: name, KEYS count and source. The
//! source is `lua/<name>.lua` with, in front, the definitions of `lua/lib/` it
//! uses (composed by build.rs: Redis runs a script's whole text on every call,
//! so an unused local function would still cost a closure per call). Scripts
//! run by SHA (EVALSHA) and are loaded again on NOSCRIPT by redis-rs.

use std::sync::OnceLock;

/// One atomic transition.
#[derive(Debug)]
pub struct Transition {
    /// snake_case name, matching the Lua file.
    pub name: &'static str,
    /// How many KEYS the caller passes (checked against the header by a test).
    pub keys: usize,
    /// Full Lua text.
    pub source: &'static str,
}

macro_rules! transition {
    ($const:ident, $name:literal, $keys:literal) => {
        #[doc = concat!("`lua/", $name, ".lua`")]
        pub const $const: Transition = Transition {
            name: $name,
            keys: $keys,
            source: include_str!(concat!(env!("OUT_DIR"), "/lua/", $name, ".lua")),
        };
    };
}

transition!(ADD_JOBS, "add_jobs", 9);
transition!(MOVE_TO_ACTIVE, "move_to_active", 9);
transition!(MOVE_TO_FINISHED, "move_to_finished", 15);
transition!(EXTEND_LOCKS, "extend_locks", 1);
transition!(MOVE_STALLED_JOBS_TO_WAIT, "move_stalled_jobs_to_wait", 7);
transition!(PAUSE, "pause", 7);
transition!(UPDATE_PROGRESS, "update_progress", 3);
transition!(ADD_LOG, "add_log", 2);
transition!(REMOVE_JOB, "remove_job", 11);
transition!(REPROCESS_JOB, "reprocess_job", 8);
transition!(GET_STATE, "get_state", 8);
transition!(CLEAN_JOBS_IN_SET, "clean_jobs_in_set", 4);
transition!(DRAIN, "drain", 6);
transition!(OBLITERATE, "obliterate", 10);
transition!(MOVE_JOBS_TO_WAIT, "move_jobs_to_wait", 6);
transition!(PROMOTE, "promote", 8);
transition!(MOVE_TO_DELAYED, "move_to_delayed", 6);
transition!(
    MOVE_JOB_FROM_ACTIVE_TO_WAIT,
    "move_job_from_active_to_wait",
    8
);

transition!(UPDATE_DATA, "update_data", 1);
transition!(CHANGE_DELAY, "change_delay", 4);
transition!(CHANGE_PRIORITY, "change_priority", 6);
transition!(REMOVE_DEDUPLICATION_KEY, "remove_deduplication_key", 1);
transition!(REMOVE_ORPHANED_JOBS, "remove_orphaned_jobs", 9);

// Job schedulers (lua/lib/scheduler.lua holds their shared helpers).
transition!(ADD_JOB_SCHEDULER, "add_job_scheduler", 11);
transition!(UPDATE_JOB_SCHEDULER, "update_job_scheduler", 10);
transition!(REMOVE_JOB_SCHEDULER, "remove_job_scheduler", 3);

// Flows (lua/lib/flow.lua holds the parent/child helpers).
transition!(ADD_FLOW, "add_flow", 1);
transition!(MOVE_TO_WAITING_CHILDREN, "move_to_waiting_children", 4);
transition!(REMOVE_CHILD_DEPENDENCY, "remove_child_dependency", 2);
transition!(
    REMOVE_UNPROCESSED_CHILDREN,
    "remove_unprocessed_children",
    1
);

/// Every transition, for tests and preloading.
pub const ALL: &[&Transition] = &[
    &ADD_JOBS,
    &MOVE_TO_ACTIVE,
    &MOVE_TO_FINISHED,
    &EXTEND_LOCKS,
    &MOVE_STALLED_JOBS_TO_WAIT,
    &PAUSE,
    &UPDATE_PROGRESS,
    &ADD_LOG,
    &REMOVE_JOB,
    &REPROCESS_JOB,
    &GET_STATE,
    &CLEAN_JOBS_IN_SET,
    &DRAIN,
    &OBLITERATE,
    &MOVE_JOBS_TO_WAIT,
    &PROMOTE,
    &MOVE_TO_DELAYED,
    &MOVE_JOB_FROM_ACTIVE_TO_WAIT,
    &UPDATE_DATA,
    &CHANGE_DELAY,
    &CHANGE_PRIORITY,
    &ADD_JOB_SCHEDULER,
    &UPDATE_JOB_SCHEDULER,
    &REMOVE_JOB_SCHEDULER,
    &ADD_FLOW,
    &MOVE_TO_WAITING_CHILDREN,
    &REMOVE_CHILD_DEPENDENCY,
    &REMOVE_UNPROCESSED_CHILDREN,
    &REMOVE_DEDUPLICATION_KEY,
    &REMOVE_ORPHANED_JOBS,
];

impl Transition {
    /// The compiled script (SHA computed once per process).
    pub fn script(&'static self) -> &'static redis::Script {
        static CACHE: OnceLock<Vec<(&'static str, redis::Script)>> = OnceLock::new();
        let all = CACHE.get_or_init(|| {
            ALL.iter()
                .map(|t| (t.name, redis::Script::new(t.source)))
                .collect()
        });
        &all.iter()
            .find(|(n, _)| *n == self.name)
            .expect("every transition is listed in ALL")
            .1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header of each script lists exactly `keys` KEYS, numbered 1..=keys.
    #[test]
    fn headers_agree_with_key_counts() {
        for t in ALL {
            let own = t.source.rsplit("--[[").next().unwrap();
            let header = own.split("]]").next().unwrap();
            let listed: Vec<usize> = header
                .lines()
                .filter_map(|l| l.trim().strip_prefix("KEYS["))
                .filter_map(|l| l.split(']').next()?.parse().ok())
                .collect();
            let expected: Vec<usize> = (1..=t.keys).collect();
            assert_eq!(
                listed, expected,
                "{}: header KEYS vs declared count",
                t.name
            );
            for section in ["Returns:", "Emits:"] {
                assert!(
                    header.contains(section),
                    "{} header lacks {section}",
                    t.name
                );
            }
        }
    }

    /// Names defined at the top level of some Lua text (`local f`, `local function f`).
    fn top_level_locals(text: &str) -> Vec<&str> {
        text.lines()
            .filter_map(|l| l.strip_prefix("local "))
            .map(|rest| rest.strip_prefix("function ").unwrap_or(rest))
            .map(|rest| {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    /// build.rs composes in front of each script every lib definition its text
    /// names, transitively: one left out would be an undefined global at run time.
    #[test]
    fn scripts_carry_the_lib_definitions_they_name() {
        let libs = [
            include_str!("lua/lib/common.lua"),
            include_str!("lua/lib/fetch.lua"),
            include_str!("lua/lib/flow.lua"),
            include_str!("lua/lib/scheduler.lua"),
        ];
        let lib_names: Vec<&str> = libs.iter().flat_map(|l| top_level_locals(l)).collect();
        for t in ALL {
            let own = t
                .source
                .rfind("--[[")
                .expect("every script starts with its header");
            let composed = top_level_locals(&t.source[..own]);
            for word in t.source.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if lib_names.contains(&word) {
                    assert!(
                        composed.contains(&word),
                        "{} names {word} but lacks it",
                        t.name
                    );
                }
            }
            for name in &composed {
                assert!(
                    lib_names.contains(name),
                    "{}: {name} is not from lua/lib",
                    t.name
                );
            }
        }
    }

    /// Scripts only touch keys through KEYS or the key base; no literal queue keys.
    #[test]
    fn no_hardcoded_key_names() {
        for t in ALL {
            assert!(!t.source.contains("\"bull:"), "{} hardcodes a key", t.name);
        }
    }
}
