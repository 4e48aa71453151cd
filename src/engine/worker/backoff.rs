//! Backoff delays between attempts, as BullMQ computes them.

use crate::engine::options::Backoff;

/// The delay (ms) before attempt `attempts_made + 1`, where `attempts_made`
/// counts the attempt that just failed (BullMQ passes it as `n`). `random` is a
/// number in [0, 1) used for jitter.
pub fn delay_ms(backoff: &Backoff, attempts_made: u64, random: f64) -> u64 {
    match backoff {
        Backoff::Fixed { delay, jitter } => jittered(*delay as f64, *jitter, random),
        Backoff::Exponential { delay, jitter } => {
            let exp = attempts_made.saturating_sub(1).min(52) as i32;
            let max = (2f64.powi(exp) * *delay as f64).round();
            jittered(max, *jitter, random)
        }
        Backoff::Custom { delay, .. } => *delay,
    }
}

fn jittered(max: f64, jitter: f64, random: f64) -> u64 {
    if jitter > 0.0 {
        let min = max * (1.0 - jitter);
        (min + random * (max - min)).floor() as u64
    } else {
        max as u64
    }
}

/// A cheap random number in [0, 1) for jitter (no cryptographic needs).
pub fn random_unit() -> f64 {
    let n = uuid::Uuid::new_v4().as_u128() as u64;
    (n >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_bullmq_observations() {
        let e = Backoff::Exponential {
            delay: 200,
            jitter: 0.0,
        };
        assert_eq!(delay_ms(&e, 1, 0.5), 200);
        assert_eq!(delay_ms(&e, 2, 0.5), 400);
        assert_eq!(delay_ms(&e, 3, 0.5), 800);
        let f = Backoff::Fixed {
            delay: 100,
            jitter: 0.0,
        };
        assert_eq!(delay_ms(&f, 5, 0.5), 100);
    }

    #[test]
    fn jitter_stays_in_range() {
        let f = Backoff::Fixed {
            delay: 1000,
            jitter: 0.5,
        };
        for r in [0.0, 0.3, 0.999] {
            let d = delay_ms(&f, 1, r);
            assert!((500..1000).contains(&d), "{d}");
        }
    }
}
