//! Reading schedulers back: `getJobScheduler`, `getJobSchedulers`, in the
//! shape BullMQ returns (so either library lists the other's schedulers).

use serde::Serialize;
use serde_json::value::RawValue;

use crate::engine::error::{Error, Result};
use crate::engine::queue::Queue;

/// A job scheduler as BullMQ's `getJobScheduler` describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobScheduler {
    /// The scheduler id.
    pub key: String,
    /// Template job name.
    pub name: String,
    /// Next run (ms), the score in the `repeat` ZSET.
    pub next: Option<u64>,
    /// `ic`: iterations created so far.
    pub iteration_count: Option<u64>,
    /// `limit`.
    pub limit: Option<u64>,
    /// `startDate` (ms).
    pub start_date: Option<u64>,
    /// `endDate` (ms).
    pub end_date: Option<u64>,
    /// `tz`.
    pub tz: Option<String>,
    /// Cron pattern.
    pub pattern: Option<String>,
    /// Interval (ms).
    pub every: Option<u64>,
    /// Offset (ms).
    pub offset: Option<u64>,
    /// Template data JSON.
    pub data: Option<String>,
    /// Template opts JSON (BullMQ's short keys).
    pub opts: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Template<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opts: Option<&'a RawValue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SchedulerJson<'a> {
    key: &'a str,
    name: &'a str,
    next: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iteration_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_date: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tz: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    every: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    template: Option<Template<'a>>,
}

/// Like JS `parseInt` of a stored decimal: leading digits, else absent.
fn int(v: &str) -> Option<u64> {
    let digits: String = v
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

impl JobScheduler {
    /// Builds a scheduler from HGETALL of `repeat:<id>`; `None` for an empty hash.
    pub fn from_fields(key: &str, fields: Vec<String>, next: Option<u64>) -> Option<JobScheduler> {
        if fields.is_empty() {
            return None;
        }
        let mut s = JobScheduler {
            key: key.to_string(),
            next,
            ..Default::default()
        };
        let mut it = fields.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            // BullMQ reads a field only when its text is non-empty.
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "name" => s.name = v,
                "ic" => s.iteration_count = int(&v),
                "limit" => s.limit = int(&v),
                "startDate" => s.start_date = int(&v),
                "endDate" => s.end_date = int(&v),
                "tz" => s.tz = Some(v),
                "pattern" => s.pattern = Some(v),
                "every" => s.every = int(&v),
                "offset" => s.offset = int(&v),
                "data" => s.data = Some(v),
                "opts" => s.opts = Some(v),
                _ => {}
            }
        }
        Some(s)
    }

    /// The scheduler as one JSON object (`template.opts` keeps the stored short
    /// keys; the JS layer expands them as it does for jobs).
    pub fn to_json(&self) -> Result<String> {
        let raw = |what: &str, s: &'_ str| -> Result<Box<RawValue>> {
            RawValue::from_string(s.to_string()).map_err(|e| Error::CorruptData {
                what: format!("{what} of job scheduler {}", self.key),
                reason: e.to_string(),
            })
        };
        let data = self.data.as_deref().map(|d| raw("data", d)).transpose()?;
        let opts = self.opts.as_deref().map(|o| raw("opts", o)).transpose()?;
        let template = (data.is_some() || opts.is_some()).then_some(Template {
            data: data.as_deref(),
            opts: opts.as_deref(),
        });
        let view = SchedulerJson {
            key: &self.key,
            name: &self.name,
            next: self.next,
            iteration_count: self.iteration_count,
            limit: self.limit,
            start_date: self.start_date,
            end_date: self.end_date,
            tz: self.tz.as_deref(),
            pattern: self.pattern.as_deref(),
            every: self.every,
            offset: self.offset,
            template,
        };
        serde_json::to_string(&view).map_err(|e| Error::CorruptData {
            what: format!("job scheduler {}", self.key),
            reason: e.to_string(),
        })
    }
}

/// Whether `key` looks like a v5 repeatable-job key, `name:id:endDate:tz:<cron|every>`
/// (endDate empty or digits; the rest a cron pattern with spaces, or digits).
pub(crate) fn is_legacy_repeat_key(key: &str) -> bool {
    let parts: Vec<&str> = key.splitn(5, ':').collect();
    if parts.len() < 5 {
        return false;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !parts[2].is_empty() && !digits(parts[2]) {
        return false;
    }
    let rest = parts[4];
    !rest.is_empty() && (rest.contains(' ') || digits(rest))
}

/// BullMQ's refusal of v5 repeatable-job metadata, for the same key.
pub(crate) fn legacy_error(key: &str) -> Error {
    Error::CorruptData {
        what: format!("job scheduler \"{key}\""),
        reason: "Legacy repeatable job metadata is not supported in BullMQ v6; migrate legacy \
                 repeatable jobs to Job Schedulers (https://docs.bullmq.io/guide/migrations/migrate-from-v5-to-v6)"
            .into(),
    }
}

fn score(s: Option<String>) -> Option<u64> {
    s.and_then(|v| v.parse::<f64>().ok())
        .map(|f| f.max(0.0) as u64)
}

impl Queue {
    /// Scheduler `id`, or `None` when there is none. Fails for a v5 repeatable key.
    pub async fn get_job_scheduler(&self, id: &str) -> Result<Option<JobScheduler>> {
        let k = self.keys();
        let mut con = self.con()?;
        let (fields, next): (Vec<String>, Option<String>) = redis::pipe()
            .atomic()
            .cmd("HGETALL")
            .arg(k.scheduler(id))
            .cmd("ZSCORE")
            .arg(&k.repeat)
            .arg(id)
            .query_async(&mut con)
            .await?;
        let Some(next) = score(next) else {
            return Ok(None);
        };
        match JobScheduler::from_fields(id, fields, Some(next)) {
            Some(s) => Ok(Some(s)),
            None if is_legacy_repeat_key(id) => Err(legacy_error(id)),
            None => Ok(None),
        }
    }

    /// Schedulers by next run, `start..=end` (ascending or, by default in
    /// BullMQ, descending). An entry whose hash is gone is removed on the way,
    /// as BullMQ does; a v5 repeatable key fails the call.
    pub async fn get_job_schedulers(
        &self,
        start: i64,
        end: i64,
        asc: bool,
    ) -> Result<Vec<JobScheduler>> {
        let k = self.keys();
        let mut con = self.con()?;
        let range: Vec<(String, String)> = redis::cmd(if asc { "ZRANGE" } else { "ZREVRANGE" })
            .arg(&k.repeat)
            .arg(start)
            .arg(end)
            .arg("WITHSCORES")
            .query_async(&mut con)
            .await?;
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for (id, _) in &range {
            pipe.cmd("HGETALL").arg(k.scheduler(id));
        }
        let hashes: Vec<Vec<String>> = pipe.query_async(&mut con).await?;
        let mut out = Vec::with_capacity(range.len());
        for ((id, next), fields) in range.into_iter().zip(hashes) {
            match JobScheduler::from_fields(&id, fields, score(Some(next))) {
                Some(s) => out.push(s),
                None if is_legacy_repeat_key(&id) => return Err(legacy_error(&id)),
                None => {
                    self.remove_job_scheduler(&id).await?;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_v5_repeat_keys_only() {
        assert!(is_legacy_repeat_key("report::::*/5 * * * *"));
        assert!(is_legacy_repeat_key("tick:my-id:1700000000000::60000"));
        assert!(!is_legacy_repeat_key("nightly"));
        assert!(!is_legacy_repeat_key("a:b:c:d:e"));
        assert!(!is_legacy_repeat_key("a:b:x1:d:60000"));
    }

    #[test]
    fn json_has_bullmq_field_names() {
        let s = JobScheduler::from_fields(
            "ev",
            [
                "name",
                "tick",
                "every",
                "1500",
                "offset",
                "0",
                "ic",
                "3",
                "data",
                "{\"a\":1}",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            Some(42),
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&s.to_json().unwrap()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({ "key": "ev", "name": "tick", "next": 42, "iterationCount": 3,
                "every": 1500, "offset": 0, "template": { "data": { "a": 1 } } })
        );
    }
}
