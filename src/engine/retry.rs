//! How the long-running loops (worker, QueueEvents) wait out a Redis that is
//! unreachable or refusing (out of memory, loading, busy): an [`Outage`]
//! paces the attempts and says when to report.
//!
//! - **Pace.** 100 ms, 250 ms, then one attempt every 500 ms for as long as
//!   it lasts. An attempt against a Redis that is down is one refused TCP
//!   connect, so this does not hammer it, and the loop is back within about
//!   half a second of Redis's return however long it was away (a backoff
//!   growing to seconds would leave it sleeping long after).
//! - **Once per episode.** The first failure of an episode is reported (an
//!   `error` event, one log line); repeats of the same code are not, until a
//!   call succeeds again (logged once, with the episode's length) or the
//!   failure changes code.

use std::time::Duration;

use tokio::time::Instant;

use super::error::{Error, ErrorCode};

/// Pause before each attempt of an episode; the last one repeats.
pub const RETRY_DELAYS_MS: [u64; 3] = [100, 250, 500];

/// One loop's view of an ongoing failure.
#[derive(Debug)]
pub struct Outage {
    /// What is retrying, for logs (`worker`, `queue events`).
    what: &'static str,
    /// The queue (or stream key), for logs.
    name: String,
    episode: Option<Episode>,
}

#[derive(Debug)]
struct Episode {
    code: ErrorCode,
    since: Instant,
    attempts: u32,
}

impl Outage {
    /// No failure yet.
    pub fn new(what: &'static str, name: impl Into<String>) -> Self {
        Outage {
            what,
            name: name.into(),
            episode: None,
        }
    }

    /// Records a failed attempt. Returns how long to wait before the next one,
    /// and whether this failure should be reported (it starts an episode or
    /// changes its code).
    pub fn failed(&mut self, e: &Error) -> (Duration, bool) {
        let code = e.code();
        let report = match &mut self.episode {
            Some(ep) if ep.code == code => {
                ep.attempts += 1;
                false
            }
            Some(ep) => {
                ep.code = code;
                ep.attempts += 1;
                true
            }
            None => {
                self.episode = Some(Episode {
                    code,
                    since: Instant::now(),
                    attempts: 1,
                });
                true
            }
        };
        let attempts = self.episode.as_ref().map_or(1, |ep| ep.attempts);
        let step = (attempts as usize - 1).min(RETRY_DELAYS_MS.len() - 1);
        (Duration::from_millis(RETRY_DELAYS_MS[step]), report)
    }

    /// Records a successful call; ends the episode, if any, with one log line.
    pub fn succeeded(&mut self) {
        if let Some(ep) = self.episode.take() {
            tracing::info!(
                what = self.what,
                queue = %self.name,
                code = %ep.code,
                attempts = ep.attempts,
                secs = ep.since.elapsed().as_secs_f64(),
                "Redis answers again; resumed"
            );
        }
    }

    /// Whether an episode is going on.
    pub fn ongoing(&self) -> bool {
        self.episode.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_once_per_episode_and_caps_the_pause() {
        let mut o = Outage::new("worker", "q");
        let down = Error::Connection("cannot reach Redis at 127.0.0.1:1".into());
        let pauses: Vec<(u64, bool)> = (0..5)
            .map(|_| {
                let (d, r) = o.failed(&down);
                (d.as_millis() as u64, r)
            })
            .collect();
        assert_eq!(
            pauses,
            vec![
                (100, true),
                (250, false),
                (500, false),
                (500, false),
                (500, false)
            ]
        );
        // A different failure is news; the pace carries on.
        let oom = Error::Redis(crate::engine::redis_error::RedisReply::OutOfMemory);
        assert_eq!(o.failed(&oom), (Duration::from_millis(500), true));
        o.succeeded();
        assert!(!o.ongoing());
        assert_eq!(o.failed(&down), (Duration::from_millis(100), true));
    }
}
