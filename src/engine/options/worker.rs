//! How a worker runs: its options, BullMQ's defaults, and the checks of each.

use super::keep_jobs::KeepJobs;
use crate::engine::error::{Error, Result};

/// BullMQ's default `lockDuration` (ms).
pub const DEFAULT_LOCK_DURATION_MS: u64 = 30_000;
/// BullMQ's default `stalledInterval` (ms).
pub const DEFAULT_STALLED_INTERVAL_MS: u64 = 30_000;
/// BullMQ's default `maxStalledCount`.
pub const DEFAULT_MAX_STALLED_COUNT: u64 = 1;
/// BullMQ's default `drainDelay` (s): how long an idle worker blocks on the marker.
pub const DEFAULT_DRAIN_DELAY_S: f64 = 5.0;
/// BullMQ's default `concurrency`.
pub const DEFAULT_CONCURRENCY: usize = 1;
/// BullMQ's `maximumRateLimitDelay` (ms): the longest a rate-limited worker idles.
pub const MAX_RATE_LIMIT_DELAY_MS: u64 = 30_000;
/// BullMQ's default `metrics.maxDataPoints` (one week of minutes).
pub const DEFAULT_METRICS_MAX_DATA_POINTS: u64 = 60 * 24 * 7;

/// A queue-wide or per-worker rate limit: at most `max` jobs per `duration_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limiter {
    /// Jobs per window.
    pub max: u64,
    /// Window length (ms).
    pub duration_ms: u64,
}

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Jobs processed at once by this worker.
    pub concurrency: usize,
    /// How long a job's lock lives without renewal (ms).
    pub lock_duration_ms: u64,
    /// How often locks are renewed (ms); BullMQ's default is half the lock duration.
    pub lock_renew_time_ms: u64,
    /// Period of the stalled-job check (ms).
    pub stalled_interval_ms: u64,
    /// How many times a job may stall before it fails.
    pub max_stalled_count: u64,
    /// Seconds an idle worker blocks waiting for a job.
    pub drain_delay_s: f64,
    /// Optional per-worker rate limit.
    pub limiter: Option<Limiter>,
    /// Optional worker name, stored as the job's `pb` and in the client name.
    pub name: Option<String>,
    /// Default for jobs without `removeOnComplete`.
    pub remove_on_complete: Option<KeepJobs>,
    /// Default for jobs without `removeOnFail`.
    pub remove_on_fail: Option<KeepJobs>,
    /// Skip the periodic stalled check (another process runs it).
    pub skip_stalled_check: bool,
    /// Take locks but never renew them (BullMQ's `skipLockRenewal`).
    pub skip_lock_renewal: bool,
    /// Keep BullMQ's per-minute metrics, at most this many points (0 = off).
    pub metrics_max_data_points: u64,
    /// The longest a rate-limited worker idles before it looks again (ms;
    /// BullMQ's `maximumRateLimitDelay`), so due delayed jobs still get promoted.
    pub max_rate_limit_delay_ms: u64,
    /// A fixed wait after a Redis error in the loop (BullMQ's `runRetryDelay`);
    /// `None`: ferroq's outage pacing (100 ms, 250 ms, then every 500 ms).
    pub run_retry_delay_ms: Option<u64>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: DEFAULT_CONCURRENCY,
            lock_duration_ms: DEFAULT_LOCK_DURATION_MS,
            lock_renew_time_ms: DEFAULT_LOCK_DURATION_MS / 2,
            stalled_interval_ms: DEFAULT_STALLED_INTERVAL_MS,
            max_stalled_count: DEFAULT_MAX_STALLED_COUNT,
            drain_delay_s: DEFAULT_DRAIN_DELAY_S,
            limiter: None,
            name: None,
            remove_on_complete: None,
            remove_on_fail: None,
            skip_stalled_check: false,
            skip_lock_renewal: false,
            metrics_max_data_points: 0,
            max_rate_limit_delay_ms: MAX_RATE_LIMIT_DELAY_MS,
            run_retry_delay_ms: None,
        }
    }
}

impl WorkerOptions {
    /// Checks the numbers for sense; `field` names use the JS spelling.
    pub fn validate(&self) -> Result<()> {
        concurrency(self.concurrency as f64, "concurrency")?;
        if self.lock_duration_ms == 0 {
            return Err(Error::invalid("lockDuration", "must be > 0"));
        }
        if self.stalled_interval_ms == 0 {
            return Err(Error::invalid("stalledInterval", "must be > 0"));
        }
        if let Some(l) = self.limiter {
            Limiter::checked(l.max, l.duration_ms, "limiter")?;
        }
        Ok(())
    }
}

/// Most jobs one worker runs at once: a guard against a typo'd concurrency
/// allocating a huge batch (ferroq's, not BullMQ's).
pub const MAX_CONCURRENCY: f64 = 1_000_000.0;

/// A worker's `concurrency`: a whole number 1..=[`MAX_CONCURRENCY`].
pub fn concurrency(x: f64, field: &str) -> Result<usize> {
    if x >= 1.0 && x.fract() == 0.0 && x <= MAX_CONCURRENCY {
        Ok(x as usize)
    } else {
        Err(Error::invalid(
            field,
            format!("must be an integer >= 1, got {x}"),
        ))
    }
}

/// A worker's `drainDelay`, in seconds: any finite number >= 0 (BullMQ takes
/// fractions, e.g. 0.5).
pub fn drain_delay(x: f64, field: &str) -> Result<f64> {
    if x >= 0.0 && x.is_finite() {
        Ok(x)
    } else {
        Err(Error::invalid(
            field,
            format!("must be a number of seconds >= 0, got {x}"),
        ))
    }
}

impl Limiter {
    /// A limit of `max` jobs per `duration_ms`; both must be > 0 (`field`
    /// names the option in the error).
    pub fn checked(max: u64, duration_ms: u64, field: &str) -> Result<Limiter> {
        if max == 0 || duration_ms == 0 {
            return Err(Error::invalid(field, "max and duration must be > 0"));
        }
        Ok(Limiter { max, duration_ms })
    }
}
