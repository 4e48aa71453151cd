//! BullMQ's `RepeatOptions` for job schedulers: validation, the `opts.repeat`
//! object each iteration carries, and the next run of a cron pattern.
//!
//! Cron patterns are evaluated by `croner` (five or six fields, the first of
//! six being seconds; `L`, `W`, `#`, names and `@hourly`-style nicknames) in
//! the scheduler's IANA time zone (`chrono-tz`), or in the process's local zone
//! when none is given, as bullmq's cron-parser does.

use chrono::{DateTime, Local, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds};
use serde_json::{Map, Value};

use crate::engine::error::{Error, Result};

/// How a job scheduler repeats. Exactly one of `every` and `pattern` is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepeatOptions {
    /// Interval in ms between runs.
    pub every: Option<u64>,
    /// Cron pattern (optional seconds field first).
    pub pattern: Option<String>,
    /// IANA time zone the pattern is read in (`None` = the process's zone).
    pub tz: Option<String>,
    /// At most this many iterations.
    pub limit: Option<u64>,
    /// No run before this time (ms).
    pub start_date: Option<u64>,
    /// No run after this time (ms).
    pub end_date: Option<u64>,
    /// A cron scheduler's first run is now instead of at the pattern's next time.
    pub immediately: bool,
    /// Where `every` runs sit within their interval (ms).
    pub offset: Option<u64>,
    /// Which iteration this is (1-based), as stored in an iteration's opts.
    pub count: Option<u64>,
    /// Other keys the caller gave; kept in each iteration's `opts.repeat` as BullMQ keeps them.
    pub extra: Map<String, Value>,
}

fn millis(v: &Value, field: &str) -> Result<u64> {
    match v.as_f64() {
        Some(x) if (0.0..=9_007_199_254_740_991.0).contains(&x) => Ok(x.floor() as u64),
        _ => Err(Error::invalid(
            field,
            format!("must be a time in ms since the epoch (or a Date), got {v}"),
        )),
    }
}

fn whole(v: &Value, field: &str, min: u64) -> Result<u64> {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 && x >= min as f64 && x <= 9_007_199_254_740_991.0 => {
            Ok(x as u64)
        }
        _ => Err(Error::invalid(
            field,
            format!("must be an integer >= {min}, got {v}"),
        )),
    }
}

impl RepeatOptions {
    /// Reads and checks repeat options (`field` prefixes error field names).
    /// Dates must already be ms numbers (the JS layer converts `Date`s and strings).
    pub fn from_json(map: &Map<String, Value>, field: &str) -> Result<RepeatOptions> {
        let mut r = RepeatOptions::default();
        for (key, v) in map {
            if v.is_null() {
                continue;
            }
            let f = format!("{field}.{key}");
            match key.as_str() {
                "every" => r.every = Some(whole(v, &f, 1)?),
                "pattern" => match v {
                    Value::String(s) if !s.trim().is_empty() => r.pattern = Some(s.clone()),
                    _ => return Err(Error::invalid(f, "must be a non-empty cron pattern string")),
                },
                "tz" => match v {
                    Value::String(s) => r.tz = Some(s.clone()),
                    _ => return Err(Error::invalid(f, "must be an IANA time zone name")),
                },
                "limit" => r.limit = Some(whole(v, &f, 0)?),
                "startDate" => r.start_date = Some(millis(v, &f)?),
                "endDate" => r.end_date = Some(millis(v, &f)?),
                "immediately" => r.immediately = v.as_bool().unwrap_or(false),
                "offset" => r.offset = Some(whole(v, &f, 0)?),
                "count" => r.count = Some(whole(v, &f, 0)?),
                _ => {
                    r.extra.insert(key.clone(), v.clone());
                }
            }
        }
        // Refused with BullMQ's messages, word for word.
        if r.pattern.is_some() && r.every.is_some() {
            return Err(Error::refused(
                field,
                "Both .pattern and .every options are defined for this repeatable job",
            ));
        }
        if r.pattern.is_none() && r.every.is_none() {
            return Err(Error::refused(
                field,
                "Either .pattern or .every options must be defined for this repeatable job",
            ));
        }
        if r.immediately && r.start_date.is_some() {
            return Err(Error::refused(
                field,
                "Both .immediately and .startDate options are defined for this repeatable job",
            ));
        }
        if let Some(p) = &r.pattern {
            parse_pattern(p).map_err(|e| Error::invalid(format!("{field}.pattern"), e))?;
        }
        if let Some(tz) = &r.tz {
            tz.parse::<Tz>().map_err(|_| {
                Error::invalid(
                    format!("{field}.tz"),
                    format!("\"{tz}\" is not an IANA time zone name"),
                )
            })?;
        }
        Ok(r)
    }

    /// The next run of the cron pattern strictly after `after_ms` (no earlier
    /// than `start_date`); `None` past `end_date`, or when the pattern never
    /// matches again. `every` schedulers are computed in Lua, not here.
    pub fn next_cron_millis(&self, after_ms: u64) -> Result<Option<u64>> {
        let Some(pattern) = &self.pattern else {
            return Ok(None);
        };
        let cron = parse_pattern(pattern).map_err(|e| Error::invalid("repeat.pattern", e))?;
        let from = self.start_date.map_or(after_ms, |s| s.max(after_ms));
        let Some(from) = DateTime::<Utc>::from_timestamp_millis(from as i64) else {
            return Ok(None);
        };
        let next = match &self.tz {
            Some(tz) => {
                let tz: Tz = tz.parse().map_err(|_| {
                    Error::invalid(
                        "repeat.tz",
                        format!("\"{tz}\" is not an IANA time zone name"),
                    )
                })?;
                cron.find_next_occurrence(&from.with_timezone(&tz), false)
                    .map(|t| t.timestamp_millis())
            }
            None => cron
                .find_next_occurrence(&from.with_timezone(&Local), false)
                .map(|t| t.timestamp_millis()),
        };
        let Ok(next) = next else {
            return Ok(None);
        };
        let next = next.max(0) as u64;
        Ok(match self.end_date {
            Some(end) if next > end => None,
            _ => Some(next),
        })
    }

    /// The `opts.repeat` object of an iteration: the options as given (without
    /// `immediately`), dates as ms, the offset only for `every`, and `count`.
    pub fn iteration_json(&self, count: u64) -> Value {
        let mut m = self.extra.clone();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.to_string(), v);
            }
        };
        put("every", self.every.map(Value::from));
        put("pattern", self.pattern.clone().map(Value::from));
        put("tz", self.tz.clone().map(Value::from));
        put("limit", self.limit.map(Value::from));
        put("startDate", self.start_date.map(Value::from));
        put("endDate", self.end_date.map(Value::from));
        put(
            "offset",
            self.every
                .and(self.offset.filter(|o| *o > 0))
                .map(Value::from),
        );
        put("count", Some(Value::from(count)));
        Value::Object(m)
    }
}

fn parse_pattern(pattern: &str) -> std::result::Result<Cron, String> {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .build()
        .parse(pattern.trim())
        .map_err(|e| format!("\"{pattern}\" is not a valid cron pattern ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(v: Value) -> Result<RepeatOptions> {
        RepeatOptions::from_json(v.as_object().unwrap(), "repeatOpts")
    }

    #[test]
    fn refuses_what_bullmq_refuses() {
        for (v, msg) in [
            (
                serde_json::json!({ "every": 1000, "pattern": "* * * * *" }),
                "Both .pattern and .every",
            ),
            (
                serde_json::json!({ "tz": "UTC" }),
                "Either .pattern or .every",
            ),
            (
                serde_json::json!({ "pattern": "* * * * *", "immediately": true, "startDate": 5 }),
                "Both .immediately and .startDate",
            ),
            (
                serde_json::json!({ "pattern": "not a cron" }),
                "not a valid cron pattern",
            ),
            (
                serde_json::json!({ "pattern": "* * * * *", "tz": "Mars/Olympus" }),
                "IANA",
            ),
            (serde_json::json!({ "every": 0 }), "integer >= 1"),
        ] {
            let e = opts(v).unwrap_err();
            assert!(e.to_string().contains(msg), "{e}");
        }
    }

    #[test]
    fn cron_with_seconds_runs_strictly_after() {
        let r = opts(serde_json::json!({ "pattern": "*/10 * * * * *", "tz": "UTC" })).unwrap();
        // 2026-01-01T00:00:03.500Z → :10
        let t = 1_767_225_603_500;
        assert_eq!(r.next_cron_millis(t).unwrap(), Some(1_767_225_610_000));
        // Exactly on a match: the next one, not the same.
        assert_eq!(
            r.next_cron_millis(1_767_225_610_000).unwrap(),
            Some(1_767_225_620_000)
        );
    }

    #[test]
    fn cron_honours_time_zone_start_and_end() {
        // 09:25 on the 7th of each month, Paris time: 08:25 UTC in winter.
        let r = opts(serde_json::json!({ "pattern": "25 9 7 * *", "tz": "Europe/Paris" })).unwrap();
        let jan1 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
        let next = r.next_cron_millis(jan1).unwrap().unwrap();
        assert_eq!(next, 1_767_774_300_000); // 2026-01-07T08:25:00Z
        let with_start = RepeatOptions {
            start_date: Some(next + 1),
            ..r.clone()
        };
        assert_eq!(
            with_start.next_cron_millis(jan1).unwrap(),
            Some(1_770_452_700_000)
        ); // Feb 7 08:25Z
        let ended = RepeatOptions {
            end_date: Some(next - 1),
            ..r
        };
        assert_eq!(ended.next_cron_millis(jan1).unwrap(), None);
    }

    #[test]
    fn iteration_json_keeps_given_keys() {
        let r = opts(serde_json::json!({ "every": 500, "offset": 20, "limit": 3, "immediately": true, "key": "k" }))
            .unwrap();
        assert_eq!(
            r.iteration_json(2),
            serde_json::json!({ "every": 500, "offset": 20, "limit": 3, "key": "k", "count": 2 })
        );
    }
}
