//! `jobId`: a custom job id, checked as BullMQ checks it (with its messages).

use crate::engine::error::{Error, Result};

/// Whether BullMQ takes `id` for an integer: `String(parseInt(id, 10)) === id`,
/// i.e. a canonical decimal (no sign but `-`, no leading zero, not `-0`) that
/// a double holds exactly.
fn is_integer_id(id: &str) -> bool {
    let digits = id.strip_prefix('-').unwrap_or(id);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && id != "-0";
    canonical && digits.parse::<u64>().is_ok_and(|n| (n as f64) as u64 == n)
}

/// Checks a custom job id the way BullMQ does (with BullMQ's messages).
pub fn validate_job_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::invalid("opts.jobId", "must not be empty"));
    }
    if id.len() > 1024 {
        return Err(Error::invalid("opts.jobId", "must be at most 1024 bytes"));
    }
    if id == "0" || id.starts_with("0:") {
        return Err(Error::refused(
            "opts.jobId",
            "JobId cannot be '0' or start with '0:'",
        ));
    }
    if is_integer_id(id) {
        return Err(Error::refused("opts.jobId", "Custom Id cannot be integers"));
    }
    if id.contains(':') && id.split(':').count() != 3 {
        return Err(Error::refused("opts.jobId", "Custom Id cannot contain :"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::validate_job_id;

    #[test]
    fn three_segment_ids_are_allowed() {
        assert!(validate_job_id("repeat:abc:123").is_ok());
        assert!(validate_job_id("user-1").is_ok());
    }

    /// Not integers to BullMQ: a leading zero, a plus sign, "-0", beyond 2^53.
    #[test]
    fn ids_bullmq_does_not_take_for_integers() {
        for id in ["012", "+5", "-0", "9007199254740993"] {
            assert!(validate_job_id(id).is_ok(), "{id}");
        }
    }
}
