//! Whether the Redis behind a queue can take work, from its `INFO`: out of
//! memory (over `maxmemory` with `noeviction`: adds are refused), still
//! loading, or a read-only replica. For health checks (the admin `/health`,
//! `ferroq stats`); nothing is written.

use serde::Serialize;

use super::error::Result;
use super::queue::Queue;

/// What `INFO` says about the server's state, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RedisHealth {
    /// `used_memory` in bytes.
    pub used_memory: u64,
    /// `maxmemory` in bytes (0 = no limit).
    pub maxmemory: u64,
    /// `maxmemory_policy` (`noeviction` is the only one BullMQ supports).
    pub maxmemory_policy: String,
    /// `role`: `master` or `slave`.
    pub role: String,
    /// `loading`: the dataset is still being loaded.
    pub loading: bool,
    /// Over `maxmemory` with `noeviction`: Redis refuses adds.
    pub out_of_memory: bool,
    /// What is wrong, in words; empty when Redis can take work.
    pub issues: Vec<String>,
}

impl RedisHealth {
    /// Reads the fields of an `INFO` reply (any sections; missing fields are zero).
    pub fn from_info(info: &str) -> RedisHealth {
        let field = |name: &str| {
            info.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                .map(|v| v.trim().to_string())
        };
        let number = |name: &str| field(name).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let used_memory = number("used_memory");
        let maxmemory = number("maxmemory");
        // What Redis leaves out when it compares with maxmemory (replication
        // and AOF buffers), as its own OOM check does.
        let counted = used_memory.saturating_sub(number("mem_not_counted_for_evict"));
        let maxmemory_policy = field("maxmemory_policy").unwrap_or_else(|| "noeviction".into());
        let role = field("role").unwrap_or_else(|| "master".into());
        let loading = number("loading") == 1;
        let out_of_memory =
            maxmemory > 0 && maxmemory_policy == "noeviction" && counted >= maxmemory;
        let mut issues = Vec::new();
        if out_of_memory {
            issues.push(format!(
                "Redis is out of memory: {} used of maxmemory {} (policy noeviction), so it \
                 refuses new jobs; workers keep draining. Free memory (removeOnComplete, \
                 queue.clean) or raise maxmemory.",
                mb(used_memory),
                mb(maxmemory)
            ));
        }
        if loading {
            issues.push("Redis is loading its dataset and answers no commands yet.".into());
        }
        if role == "slave" {
            issues.push("Redis is a read-only replica: point the connection at the master.".into());
        }
        RedisHealth {
            used_memory,
            maxmemory,
            maxmemory_policy,
            role,
            loading,
            out_of_memory,
            issues,
        }
    }

    /// Whether Redis can take work.
    pub fn healthy(&self) -> bool {
        self.issues.is_empty()
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

impl Queue {
    /// The state of the Redis this queue talks to (one `INFO`; on a cluster,
    /// the node the command lands on).
    pub async fn redis_health(&self) -> Result<RedisHealth> {
        let mut con = self.con()?;
        let info: String = redis::cmd("INFO").query_async(&mut con).await?;
        Ok(RedisHealth::from_info(&info))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_maxmemory_with_noeviction_is_out_of_memory() {
        let h = RedisHealth::from_info(
            "# Memory\r\nused_memory:3200000\r\nmaxmemory:3145728\r\n\
             maxmemory_policy:noeviction\r\nmem_not_counted_for_evict:0\r\n# Replication\r\nrole:master\r\n",
        );
        assert!(h.out_of_memory && !h.healthy());
        assert!(
            h.issues[0].contains("3.1 MB used of maxmemory 3.0 MB"),
            "{h:?}"
        );
        // An evicting policy makes room by itself; no limit never fills.
        for info in [
            "used_memory:5\r\nmaxmemory:4\r\nmaxmemory_policy:allkeys-lru\r\n",
            "used_memory:5\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n",
        ] {
            assert!(RedisHealth::from_info(info).healthy(), "{info}");
        }
    }

    #[test]
    fn loading_and_replicas_are_issues() {
        let h = RedisHealth::from_info("loading:1\r\nrole:slave\r\n");
        assert_eq!(h.issues.len(), 2);
    }
}
