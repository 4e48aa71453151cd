//! Where a queue's keys live and what `add` accepts.

/// BullMQ's default key prefix.
pub const DEFAULT_PREFIX: &str = "bull";
/// Default largest accepted `data` JSON, in bytes (ferroq's guard; 0 disables it).
pub const DEFAULT_MAX_DATA_BYTES: usize = 64 * 1024 * 1024;

/// Where a queue's keys live.
#[derive(Debug, Clone)]
pub struct QueueOptions {
    /// Key prefix (`bull` by default). Use a hash tag (`{bull}`) on Redis Cluster.
    pub prefix: String,
    /// Largest `data` JSON accepted by `add`, in bytes (0 = no limit).
    pub max_data_bytes: usize,
    /// The events stream's approximate cap the queue writes to meta
    /// (`opts.maxLenEvents`; BullMQ's `streams.events.maxLen`); None = 10 000.
    pub max_len_events: Option<u64>,
    /// Leave the meta hash alone (BullMQ's `skipMetasUpdate`, for read-only users).
    pub skip_metas_update: bool,
}

impl Default for QueueOptions {
    fn default() -> Self {
        QueueOptions {
            prefix: DEFAULT_PREFIX.to_string(),
            max_data_bytes: DEFAULT_MAX_DATA_BYTES,
            max_len_events: None,
            skip_metas_update: false,
        }
    }
}
