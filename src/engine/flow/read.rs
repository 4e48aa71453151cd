//! A parent's children as BullMQ's Job getters read them: `getChildrenValues`,
//! `getIgnoredChildrenFailures`, `getDependencies` and `getDependenciesCount`.

use serde_json::value::RawValue;

use crate::engine::error::Result;
use crate::engine::queue::Queue;

/// One page of a dependency list: SCAN-style `cursor` and `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DependencyPage {
    /// Where to start (0 = the beginning).
    pub cursor: u64,
    /// How many to ask for (a hint for the hash and set scans, as in Redis).
    pub count: u64,
}

impl Default for DependencyPage {
    /// BullMQ's default page: cursor 0, count 20.
    fn default() -> Self {
        DependencyPage {
            cursor: 0,
            count: 20,
        }
    }
}

/// Which lists `getDependencies` pages through; all `None` reads every list whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DependencyQuery {
    /// Completed children and their values.
    pub processed: Option<DependencyPage>,
    /// Children still pending.
    pub unprocessed: Option<DependencyPage>,
    /// Failed children the parent ignores (ignoreDependencyOnFailure, continueParentOnFailure).
    pub ignored: Option<DependencyPage>,
    /// Failed children that fail the parent (failParentOnFailure).
    pub failed: Option<DependencyPage>,
}

/// A parent's children by how they ended; each list is `None` when not asked
/// for, and has its next cursor when read by page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dependencies {
    /// child key → return value (JSON text).
    pub processed: Option<Vec<(String, String)>>,
    /// Next cursor of `processed`.
    pub next_processed_cursor: Option<u64>,
    /// Keys of pending children.
    pub unprocessed: Option<Vec<String>>,
    /// Next cursor of `unprocessed`.
    pub next_unprocessed_cursor: Option<u64>,
    /// child key → failure reason.
    pub ignored: Option<Vec<(String, String)>>,
    /// Next cursor of `ignored`.
    pub next_ignored_cursor: Option<u64>,
    /// Keys of children whose failure failed the parent.
    pub failed: Option<Vec<String>>,
    /// Next cursor of `failed`.
    pub next_failed_cursor: Option<u64>,
}

/// `[k1, v1, k2, v2]` → pairs.
fn pairs(flat: Vec<String>) -> Vec<(String, String)> {
    let mut it = flat.into_iter();
    let mut out = Vec::new();
    while let (Some(k), Some(v)) = (it.next(), it.next()) {
        out.push((k, v));
    }
    out
}

/// A stored value embedded as JSON: itself when it is JSON, else as a string.
fn json_value(v: &str) -> String {
    match serde_json::from_str::<&RawValue>(v) {
        Ok(_) => v.to_string(),
        Err(_) => serde_json::Value::from(v).to_string(),
    }
}

fn object(entries: &[(String, String)], raw_values: bool) -> String {
    let body: Vec<String> = entries
        .iter()
        .map(|(k, v)| {
            let value = if raw_values {
                json_value(v)
            } else {
                serde_json::Value::from(v.as_str()).to_string()
            };
            format!("{}:{value}", serde_json::Value::from(k.as_str()))
        })
        .collect();
    format!("{{{}}}", body.join(","))
}

impl Dependencies {
    /// BullMQ's object: `processed` values parsed, the others as stored, each
    /// list only when read, with `next…Cursor` when read by page.
    pub fn to_json(&self) -> String {
        let mut fields = Vec::new();
        let strings = |v: &[String]| serde_json::Value::from(v.to_vec()).to_string();
        if let Some(p) = &self.processed {
            fields.push(format!("\"processed\":{}", object(p, true)));
        }
        if let Some(c) = self.next_processed_cursor {
            fields.push(format!("\"nextProcessedCursor\":{c}"));
        }
        if let Some(u) = &self.unprocessed {
            fields.push(format!("\"unprocessed\":{}", strings(u)));
        }
        if let Some(c) = self.next_unprocessed_cursor {
            fields.push(format!("\"nextUnprocessedCursor\":{c}"));
        }
        if let Some(f) = &self.failed {
            fields.push(format!("\"failed\":{}", strings(f)));
        }
        if let Some(c) = self.next_failed_cursor {
            fields.push(format!("\"nextFailedCursor\":{c}"));
        }
        if let Some(i) = &self.ignored {
            fields.push(format!("\"ignored\":{}", object(i, false)));
        }
        if let Some(c) = self.next_ignored_cursor {
            fields.push(format!("\"nextIgnoredCursor\":{c}"));
        }
        format!("{{{}}}", fields.join(","))
    }
}

/// child key → value pairs as a JSON object, values parsed (`getChildrenValues`).
pub fn values_json(entries: &[(String, String)]) -> String {
    object(entries, true)
}

/// child key → reason pairs as a JSON object of strings (`getIgnoredChildrenFailures`).
pub fn reasons_json(entries: &[(String, String)]) -> String {
    object(entries, false)
}

impl Queue {
    /// Return values of job `id`'s completed children, by child key.
    pub async fn get_children_values(&self, id: &str) -> Result<Vec<(String, String)>> {
        let mut con = self.con()?;
        let flat: Vec<String> = redis::cmd("HGETALL")
            .arg(self.keys().processed(id))
            .query_async(&mut con)
            .await?;
        Ok(pairs(flat))
    }

    /// Failure reasons of the children job `id` ignored, by child key.
    pub async fn get_ignored_children_failures(&self, id: &str) -> Result<Vec<(String, String)>> {
        let mut con = self.con()?;
        let flat: Vec<String> = redis::cmd("HGETALL")
            .arg(self.keys().failed_children(id))
            .query_async(&mut con)
            .await?;
        Ok(pairs(flat))
    }

    /// Job `id`'s children by how they ended (BullMQ's `getDependencies`).
    pub async fn get_dependencies(&self, id: &str, q: DependencyQuery) -> Result<Dependencies> {
        let k = self.keys();
        let (processed, deps, ignored, unsuccessful) = (
            k.processed(id),
            k.dependencies(id),
            k.failed_children(id),
            k.unsuccessful(id),
        );
        let mut con = self.con()?;
        if q == DependencyQuery::default() {
            let (p, u, i, f): (Vec<String>, Vec<String>, Vec<String>, Vec<String>) = redis::pipe()
                .cmd("HGETALL")
                .arg(&processed)
                .cmd("SMEMBERS")
                .arg(&deps)
                .cmd("HGETALL")
                .arg(&ignored)
                .cmd("ZRANGE")
                .arg(&unsuccessful)
                .arg(0)
                .arg(-1)
                .query_async(&mut con)
                .await?;
            return Ok(Dependencies {
                processed: Some(pairs(p)),
                unprocessed: Some(u),
                ignored: Some(pairs(i)),
                failed: Some(f),
                ..Default::default()
            });
        }
        let mut out = Dependencies::default();
        let scan = |cmd: &str, key: &str, page: DependencyPage| {
            let mut c = redis::cmd(cmd);
            c.arg(key).arg(page.cursor).arg("COUNT").arg(page.count);
            c
        };
        if let Some(page) = q.processed {
            let (cursor, flat): (u64, Vec<String>) = scan("HSCAN", &processed, page)
                .query_async(&mut con)
                .await?;
            out.processed = Some(pairs(flat));
            out.next_processed_cursor = Some(cursor);
        }
        if let Some(page) = q.unprocessed {
            let (cursor, keys): (u64, Vec<String>) =
                scan("SSCAN", &deps, page).query_async(&mut con).await?;
            out.unprocessed = Some(keys);
            out.next_unprocessed_cursor = Some(cursor);
        }
        if let Some(page) = q.ignored {
            let (cursor, flat): (u64, Vec<String>) =
                scan("HSCAN", &ignored, page).query_async(&mut con).await?;
            out.ignored = Some(pairs(flat));
            out.next_ignored_cursor = Some(cursor);
        }
        if let Some(page) = q.failed {
            // BullMQ reads this sorted set by rank, cursor..count-1, and
            // answers cursor + count as the next cursor.
            let keys: Vec<String> = redis::cmd("ZRANGE")
                .arg(&unsuccessful)
                .arg(page.cursor)
                .arg(page.count as i64 - 1)
                .query_async(&mut con)
                .await?;
            out.failed = Some(keys);
            out.next_failed_cursor = Some(page.cursor + page.count);
        }
        Ok(out)
    }

    /// How many children job `id` has per list (`processed`, `unprocessed`,
    /// `ignored`, `failed`), for the lists named.
    pub async fn get_dependencies_count(
        &self,
        id: &str,
        lists: &[String],
    ) -> Result<Vec<(String, u64)>> {
        let k = self.keys();
        let mut pipe = redis::pipe();
        for l in lists {
            match l.as_str() {
                "processed" => pipe.cmd("HLEN").arg(k.processed(id)),
                "unprocessed" => pipe.cmd("SCARD").arg(k.dependencies(id)),
                "ignored" => pipe.cmd("HLEN").arg(k.failed_children(id)),
                _ => pipe.cmd("ZCARD").arg(k.unsuccessful(id)),
            };
        }
        let mut con = self.con()?;
        let counts: Vec<u64> = pipe.query_async(&mut con).await?;
        Ok(lists.iter().cloned().zip(counts).collect())
    }
}
