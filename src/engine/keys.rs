//! Every Redis key name ferroq uses. Nothing else in the crate formats a key:
//! this keeps the layout in one place and makes hash-tagged (cluster) prefixes
//! work everywhere at once.

/// The keys of one queue, `<prefix>:<name>:<suffix>` as BullMQ lays them out.
#[derive(Debug, Clone)]
pub struct QueueKeys {
    base: String,
    /// `wait`: LIST of ready job ids; consumed from the right.
    pub wait: String,
    /// `active`: LIST of ids being processed.
    pub active: String,
    /// `prioritized`: ZSET, score priority·2^32 + counter.
    pub prioritized: String,
    /// `pc`: priority counter.
    pub pc: String,
    /// `delayed`: ZSET, score due-ms·4096 + seq.
    pub delayed: String,
    /// `completed`: ZSET by finishedOn.
    pub completed: String,
    /// `failed`: ZSET by finishedOn.
    pub failed: String,
    /// `waiting-children`: ZSET of flow parents.
    pub waiting_children: String,
    /// `paused`: legacy v5 LIST, only read and migrated.
    pub paused: String,
    /// `stalled`: SET of stalled suspects.
    pub stalled: String,
    /// `stalled-check`: guard of the periodic stalled check.
    pub stalled_check: String,
    /// `marker`: ZSET that wakes blocked workers.
    pub marker: String,
    /// `meta`: HASH of queue metadata.
    pub meta: String,
    /// `id`: job id counter.
    pub id: String,
    /// `events`: the events STREAM.
    pub events: String,
    /// `limiter`: rate-limit counter.
    pub limiter: String,
    /// `repeat`: ZSET of job schedulers.
    pub repeat: String,
    /// `metrics:completed`
    pub metrics_completed: String,
    /// `metrics:failed`
    pub metrics_failed: String,
}

impl QueueKeys {
    /// Keys of queue `name` under `prefix`.
    pub fn new(prefix: &str, name: &str) -> Self {
        let base = format!("{prefix}:{name}:");
        let k = |suffix: &str| format!("{base}{suffix}");
        QueueKeys {
            wait: k("wait"),
            active: k("active"),
            prioritized: k("prioritized"),
            pc: k("pc"),
            delayed: k("delayed"),
            completed: k("completed"),
            failed: k("failed"),
            waiting_children: k("waiting-children"),
            paused: k("paused"),
            stalled: k("stalled"),
            stalled_check: k("stalled-check"),
            marker: k("marker"),
            meta: k("meta"),
            id: k("id"),
            events: k("events"),
            limiter: k("limiter"),
            repeat: k("repeat"),
            metrics_completed: k("metrics:completed"),
            metrics_failed: k("metrics:failed"),
            base,
        }
    }

    /// `<prefix>:<name>:`, the base scripts append job ids and `de:` ids to.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The queue's qualified name `<prefix>:<name>` (how flow children name a parent's queue).
    pub fn qualified(&self) -> &str {
        &self.base[..self.base.len() - 1]
    }

    /// The job hash `<prefix>:<name>:<id>`.
    pub fn job(&self, id: &str) -> String {
        format!("{}{id}", self.base)
    }

    /// The job's lock `<job>:lock`.
    pub fn lock(&self, id: &str) -> String {
        format!("{}{id}:lock", self.base)
    }

    /// The job's log list `<job>:logs`.
    pub fn logs(&self, id: &str) -> String {
        format!("{}{id}:logs", self.base)
    }

    /// A flow parent's SET of pending children's full keys, `<job>:dependencies`.
    pub fn dependencies(&self, id: &str) -> String {
        format!("{}{id}:dependencies", self.base)
    }

    /// A flow parent's HASH child key → return value, `<job>:processed`.
    pub fn processed(&self, id: &str) -> String {
        format!("{}{id}:processed", self.base)
    }

    /// A flow parent's HASH child key → ignored failure, `<job>:failed`.
    pub fn failed_children(&self, id: &str) -> String {
        format!("{}{id}:failed", self.base)
    }

    /// A flow parent's ZSET of children whose failure fails it, `<job>:unsuccessful`.
    pub fn unsuccessful(&self, id: &str) -> String {
        format!("{}{id}:unsuccessful", self.base)
    }

    /// The job key of job `id` in the queue qualified as `<prefix>:<name>`
    /// (how a child names its parent: BullMQ's `parentKey`).
    pub fn job_in(qualified_queue: &str, id: &str) -> String {
        format!("{qualified_queue}:{id}")
    }

    /// A job scheduler's definition HASH `repeat:<schedulerId>`.
    pub fn scheduler(&self, scheduler_id: &str) -> String {
        format!("{}:{scheduler_id}", self.repeat)
    }

    /// `priority`: the ZSET BullMQ < 5 kept priorities in; only ever deleted.
    pub fn deprecated_priority(&self) -> String {
        format!("{}priority", self.base)
    }

    /// The deduplication key `de:<dedupId>`.
    pub fn dedup(&self, dedup_id: &str) -> String {
        format!("{}de:{dedup_id}", self.base)
    }

    /// The key of a finished or state set by BullMQ's state name (`completed`,
    /// `failed`, `delayed`, `prioritized`, `waiting-children`, `wait`, `active`,
    /// `paused`); `waiting` is an alias of `wait`.
    pub fn state(&self, state: &str) -> Option<&str> {
        Some(match state {
            "wait" | "waiting" => &self.wait,
            "active" => &self.active,
            "paused" => &self.paused,
            "prioritized" => &self.prioritized,
            "delayed" => &self.delayed,
            "completed" => &self.completed,
            "failed" => &self.failed,
            "waiting-children" => &self.waiting_children,
            _ => return None,
        })
    }

    /// The client name BullMQ's `getWorkers()` looks for: `<prefix>:<base64(name)>`.
    pub fn worker_client_name(prefix: &str, name: &str, worker_name: Option<&str>) -> String {
        let mut s = format!("{prefix}:{}", base64(name.as_bytes()));
        if let Some(w) = worker_name {
            s.push_str(":w:");
            s.push_str(w);
        }
        s
    }
}

/// `s` with the characters Redis glob patterns give a meaning to escaped, for
/// a SCAN MATCH pattern that takes a prefix or key base literally.
pub fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Standard base64 with padding (what Node's `Buffer.toString('base64')` gives).
fn base64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(T[(n >> 18) as usize & 63] as char);
        out.push(T[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            T[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            T[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_bullmq() {
        let k = QueueKeys::new("bull", "emails");
        assert_eq!(k.wait, "bull:emails:wait");
        assert_eq!(k.job("42"), "bull:emails:42");
        assert_eq!(k.lock("42"), "bull:emails:42:lock");
        assert_eq!(k.dedup("u1"), "bull:emails:de:u1");
        assert_eq!(k.state("waiting"), Some("bull:emails:wait"));
    }

    #[test]
    fn worker_names_are_base64_like_node() {
        assert_eq!(
            QueueKeys::worker_client_name("bull", "e2", Some("my-worker")),
            "bull:ZTI=:w:my-worker"
        );
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    /// Glob characters are escaped, everything else is kept as is.
    #[test]
    fn glob_escape_takes_prefixes_literally() {
        assert_eq!(glob_escape("bull"), "bull");
        assert_eq!(glob_escape(r"a*b?[c]\d"), r"a\*b\?\[c\]\\d");
    }
}
