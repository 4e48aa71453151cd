//! The email queue system (seed app 002): named queues with concurrency and
//! retries from the environment, and validated helpers that enqueue one named
//! job each.
//!
//! Environment (read here, never by the engine): `EMAIL_QUEUE_CONCURRENCY` (5),
//! `SYNC_QUEUE_CONCURRENCY` (2), `PAYMENT_QUEUE_CONCURRENCY` (3),
//! `ENROLLMENT_QUEUE_CONCURRENCY` (3), `NOTIFICATION_QUEUE_CONCURRENCY` (5),
//! `CLEANUP_QUEUE_CONCURRENCY` (1), `JOB_MAX_RETRIES` (3), `JOB_RETRY_DELAY`
//! (2000 ms, exponential), `REDIS_ENABLED` (true), `CLEANUP_SCHEDULE` (when the
//! cleanup queue sweeps expired verification codes: a cron pattern, or a number
//! of ms between runs, or `off`; default hourly, `0 * * * *`) and
//! `CLEANUP_SCHEDULE_TZ` (the pattern's IANA time zone; default the process's).

use serde_json::{Value, json};

use crate::engine::scheduler::RepeatOptions;
use crate::engine::{Error, Result};

/// One queue of the system and its worker settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// Queue name.
    pub name: &'static str,
    /// Worker concurrency.
    pub concurrency: usize,
    /// The environment variable that sets it.
    pub env: &'static str,
}

/// The six queues, with the seed app's default concurrency.
pub const QUEUES: [(&str, &str, usize); 6] = [
    ("email", "EMAIL_QUEUE_CONCURRENCY", 5),
    ("sync", "SYNC_QUEUE_CONCURRENCY", 2),
    ("payment", "PAYMENT_QUEUE_CONCURRENCY", 3),
    ("enrollment", "ENROLLMENT_QUEUE_CONCURRENCY", 3),
    ("notification", "NOTIFICATION_QUEUE_CONCURRENCY", 5),
    ("cleanup", "CLEANUP_QUEUE_CONCURRENCY", 1),
];
/// Default attempts (`JOB_MAX_RETRIES`).
pub const DEFAULT_MAX_RETRIES: u64 = 3;
/// Default first retry delay, ms (`JOB_RETRY_DELAY`).
pub const DEFAULT_RETRY_DELAY_MS: u64 = 2_000;
/// The cleanup queue's job scheduler: the sweep of expired verification codes.
pub const CLEANUP_SCHEDULER_ID: &str = "cleanup-expired-verification-codes";
/// The name of the job it creates (the cleanup processor's key).
pub const CLEANUP_JOB_NAME: &str = "cleanup-expired-verification-codes";
/// `CLEANUP_SCHEDULE` when unset: hourly, on the hour (the seed app's Phase 4).
pub const DEFAULT_CLEANUP_SCHEDULE: &str = "0 * * * *";
/// Finished jobs kept for the admin endpoints.
const KEEP_COMPLETED: u64 = 1_000;
const KEEP_FAILED: u64 = 5_000;

/// The system's settings, as read from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailSystemConfig {
    /// The queues.
    pub queues: Vec<QueueConfig>,
    /// Attempts per job.
    pub attempts: u64,
    /// Exponential backoff base (ms).
    pub retry_delay_ms: u64,
    /// `REDIS_ENABLED` is not "false": use queues (else run processors inline).
    pub redis_enabled: bool,
    /// The cleanup sweep's repeat options (`{ pattern, tz? }` or `{ every }`),
    /// `None` when `CLEANUP_SCHEDULE=off`.
    pub cleanup_schedule: Option<Value>,
}

/// `CLEANUP_SCHEDULE` (+ `CLEANUP_SCHEDULE_TZ`) as job-scheduler repeat options,
/// checked as a scheduler upsert would check them.
fn cleanup_schedule(vars: &dyn Fn(&str) -> Option<String>) -> Result<Option<Value>> {
    let raw = vars("CLEANUP_SCHEDULE").unwrap_or_default();
    let raw = raw.trim();
    let repeat = match raw {
        "off" | "false" | "none" => return Ok(None),
        "" => json!({ "pattern": DEFAULT_CLEANUP_SCHEDULE }),
        ms if ms.bytes().all(|b| b.is_ascii_digit()) => {
            json!({ "every": ms.parse::<u64>().unwrap_or(0) })
        }
        pattern => json!({ "pattern": pattern }),
    };
    let mut repeat = repeat.as_object().cloned().unwrap_or_default();
    if let Some(tz) = vars("CLEANUP_SCHEDULE_TZ").filter(|t| !t.trim().is_empty()) {
        repeat.insert("tz".into(), Value::from(tz.trim()));
    }
    RepeatOptions::from_json(&repeat, "CLEANUP_SCHEDULE").map_err(|e| {
        let name = if e.to_string().contains(".tz") {
            "CLEANUP_SCHEDULE_TZ"
        } else {
            "CLEANUP_SCHEDULE"
        };
        Error::invalid(name, format!("\"{raw}\" is not a schedule: {e}"))
    })?;
    Ok(Some(Value::Object(repeat)))
}

fn env_number(vars: &dyn Fn(&str) -> Option<String>, name: &str, default: u64) -> Result<u64> {
    match vars(name) {
        Some(v) if !v.trim().is_empty() => v
            .trim()
            .parse::<u64>()
            .map_err(|_| Error::invalid(name, format!("must be a whole number, got \"{v}\""))),
        _ => Ok(default),
    }
}

impl EmailSystemConfig {
    /// Reads this process's environment.
    pub fn from_env() -> Result<Self> {
        Self::from_vars(&|name| std::env::var(name).ok())
    }

    /// Reads the settings from `vars` (an environment lookup); a malformed
    /// number is an error naming the variable.
    pub fn from_vars(vars: &dyn Fn(&str) -> Option<String>) -> Result<Self> {
        let mut queues = Vec::with_capacity(QUEUES.len());
        for (name, env, default) in QUEUES {
            let concurrency = env_number(vars, env, default as u64)?;
            if concurrency == 0 {
                return Err(Error::invalid(env, "must be at least 1"));
            }
            queues.push(QueueConfig {
                name,
                concurrency: concurrency as usize,
                env,
            });
        }
        Ok(EmailSystemConfig {
            queues,
            attempts: env_number(vars, "JOB_MAX_RETRIES", DEFAULT_MAX_RETRIES)?.max(1),
            retry_delay_ms: env_number(vars, "JOB_RETRY_DELAY", DEFAULT_RETRY_DELAY_MS)?,
            redis_enabled: !matches!(vars("REDIS_ENABLED").as_deref(), Some("false") | Some("0")),
            cleanup_schedule: cleanup_schedule(vars)?,
        })
    }

    /// The default job options of every queue.
    pub fn job_options(&self) -> Value {
        json!({
            "attempts": self.attempts,
            "backoff": { "type": "exponential", "delay": self.retry_delay_ms },
            "removeOnComplete": { "count": KEEP_COMPLETED },
            "removeOnFail": { "count": KEEP_FAILED },
        })
    }
}

/// A job a helper enqueues: target queue, job name and data.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailJob {
    /// Queue name.
    pub queue: &'static str,
    /// Job name (the processor key).
    pub name: &'static str,
    /// Job data.
    pub data: Value,
}

/// A plausible email address: one '@', a non-empty local part, a dotted domain, no spaces.
pub fn validate_email(field: &str, email: &str) -> Result<()> {
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("\"{email}\" is not a valid email address"),
        ))
    }
}

fn required(args: &[Value], i: usize, field: &str) -> Result<Value> {
    match args.get(i) {
        None | Some(Value::Null) => Err(Error::invalid(field, "is required")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(Error::invalid(field, "must not be empty"))
        }
        Some(v @ (Value::String(_) | Value::Number(_))) => Ok(v.clone()),
        Some(_) => Err(Error::invalid(field, "must be a string or a number")),
    }
}

fn email_arg(args: &[Value], i: usize) -> Result<Value> {
    let v = required(args, i, "email")?;
    // A number is named as itself in the message (it is no address either).
    let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
    validate_email("email", &text)?;
    Ok(v)
}

/// Builds the job for helper `kind` from its positional arguments.
pub fn email_job(kind: &str, args: &[Value]) -> Result<EmailJob> {
    let (name, data) = match kind {
        "sendVerificationCode" => (
            "send-verification-code",
            json!({ "email": email_arg(args, 0)?, "code": required(args, 1, "code")?, "firstName": required(args, 2, "firstName")? }),
        ),
        "sendPasswordReset" => (
            "send-password-reset",
            json!({ "email": email_arg(args, 0)?, "resetToken": required(args, 1, "resetToken")?, "firstName": required(args, 2, "firstName")? }),
        ),
        "sendWelcomeEmail" => (
            "send-welcome-email",
            json!({ "userId": required(args, 0, "userId")?, "courseId": required(args, 1, "courseId")? }),
        ),
        "sendPaymentReceipt" => (
            "send-payment-receipt",
            json!({ "userId": required(args, 0, "userId")?, "paymentId": required(args, 1, "paymentId")?, "courseId": required(args, 2, "courseId")? }),
        ),
        other => {
            return Err(Error::invalid(
                "kind",
                format!("unknown email helper \"{other}\""),
            ));
        }
    };
    Ok(EmailJob {
        queue: "email",
        name,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_arguments_naming_the_field() {
        let e = email_job(
            "sendVerificationCode",
            &[json!("not-an-email"), json!("123456"), json!("Ana")],
        )
        .unwrap_err();
        assert!(e.to_string().contains("email"), "{e}");
        let e = email_job(
            "sendPasswordReset",
            &[json!("a@b.co"), Value::Null, json!("Ana")],
        )
        .unwrap_err();
        assert!(e.to_string().contains("resetToken"), "{e}");
        let j = email_job("sendPaymentReceipt", &[json!(7), json!("p1"), json!(3)]).unwrap();
        assert_eq!(j.name, "send-payment-receipt");
        assert_eq!(j.data["userId"], 7);
    }

    #[test]
    fn config_from_vars() {
        let vars = |k: &str| match k {
            "EMAIL_QUEUE_CONCURRENCY" => Some("9".to_string()),
            "REDIS_ENABLED" => Some("false".to_string()),
            _ => None,
        };
        let c = EmailSystemConfig::from_vars(&vars).unwrap();
        assert_eq!(c.queues[0].concurrency, 9);
        assert_eq!(c.queues[1].concurrency, 2);
        assert!(!c.redis_enabled);
        assert_eq!(c.cleanup_schedule, Some(json!({ "pattern": "0 * * * *" })));
        let bad = |k: &str| (k == "JOB_RETRY_DELAY").then(|| "soon".to_string());
        assert!(
            EmailSystemConfig::from_vars(&bad)
                .unwrap_err()
                .to_string()
                .contains("JOB_RETRY_DELAY")
        );
    }

    #[test]
    fn cleanup_schedule_from_vars() {
        let with = |schedule: &'static str, tz: Option<&'static str>| {
            move |k: &str| match k {
                "CLEANUP_SCHEDULE" => Some(schedule.to_string()),
                "CLEANUP_SCHEDULE_TZ" => tz.map(str::to_string),
                _ => None,
            }
        };
        let c = |s, tz| EmailSystemConfig::from_vars(&with(s, tz));
        assert_eq!(c("off", None).unwrap().cleanup_schedule, None);
        assert_eq!(
            c("900000", None).unwrap().cleanup_schedule,
            Some(json!({ "every": 900000 }))
        );
        assert_eq!(
            c("*/30 * * * *", Some("Asia/Jakarta"))
                .unwrap()
                .cleanup_schedule,
            Some(json!({ "pattern": "*/30 * * * *", "tz": "Asia/Jakarta" }))
        );
        let e = c("every hour", None).unwrap_err();
        assert!(e.to_string().contains("CLEANUP_SCHEDULE"), "{e}");
        let e = c("0 * * * *", Some("Moon/Base")).unwrap_err();
        assert!(e.to_string().contains("CLEANUP_SCHEDULE_TZ"), "{e}");
        assert!(c("0", None).is_err(), "an interval of 0 ms is refused");
    }

    #[test]
    fn email_rules() {
        for ok in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(validate_email("email", ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a b@c.co", "a@b..co", "a@b@c.co",
        ] {
            assert!(validate_email("email", bad).is_err(), "{bad}");
        }
    }
}
