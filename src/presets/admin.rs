//! The admin endpoints of the email-queue seed app (`/api/admin/queues/...`):
//! queue stats, health with alert thresholds, job listing and details, retry,
//! removal, pause/resume and cleaning, answered as the seed's JSON.
//!
//! [`AdminApi::handle`] takes a method, a request target and the body text and
//! returns a status and JSON body, so it works under any HTTP server; the JS
//! adapter (`src/js/admin.js`) only authorizes, reads the body and writes the
//! reply. Routes (after the optional base path):
//!
//! | method | path                       | answers                                  |
//! |--------|----------------------------|------------------------------------------|
//! | GET    | `/health`                  | `{ healthy, issues, stats, redis }`, 200 or 503 |
//! | GET    | `/stats`                   | stats of every queue, keyed by name      |
//! | GET    | `/:name/stats`             | one queue's [`QueueStats`]               |
//! | GET    | `/:name/jobs`              | `?status=&start=&end=`: a page of jobs   |
//! | GET    | `/:name/job/:id`           | one job, with its state                  |
//! | POST   | `/:name/job/:id/retry`     | a failed or completed job back to wait   |
//! | DELETE | `/:name/job/:id`           | removes a job no worker holds            |
//! | POST   | `/:name/pause`, `/resume`  | pauses or resumes the queue              |
//! | POST   | `/:name/clean`             | body `{ grace, limit, status }`          |
//! | POST   | `/:name/jobs/retry-failed` | body `{ limit }`: oldest failed first    |
//!
//! Every answer but `/health` is `{ success, message, data }`. Errors: 400 bad
//! parameter or body, 404 unknown route, queue or job, 405 wrong method (with
//! `Allow`), 409 the job's state forbids it, 503 Redis unreachable.

mod actions;
mod options;
mod request;
mod response;
mod view;

use futures_util::future::join_all;
use serde_json::{Map, Value, json};

use crate::engine::{self, Queue};
use request::{Miss, body_object};
use response::failure;

pub use actions::{
    DEFAULT_CLEAN_GRACE_MS, DEFAULT_CLEAN_LIMIT, DEFAULT_CLEAN_STATUS, DEFAULT_PAGE_SIZE,
    DEFAULT_RETRY_FAILED_LIMIT, MAX_PAGE_SIZE, MAX_RETRY_FAILED_LIMIT,
};
pub use options::AdminOptions;
pub use request::{Action, Route, STATUSES};
pub use response::{AdminResponse, ApiError};
pub use view::{DEFAULT_FAILED_THRESHOLD, DEFAULT_WAITING_THRESHOLD, HealthThresholds, QueueStats};

/// The admin endpoints over a fixed set of queues, addressed by queue name.
pub struct AdminApi {
    queues: Vec<Queue>,
    base: Vec<String>,
    health: HealthThresholds,
}

impl AdminApi {
    /// Serves `queues`; names must be unique, and there must be at least one.
    pub fn new(queues: Vec<Queue>, opts: AdminOptions) -> engine::Result<AdminApi> {
        if queues.is_empty() {
            return Err(engine::Error::invalid(
                "queues",
                "must list at least one queue",
            ));
        }
        for (i, q) in queues.iter().enumerate() {
            if queues[..i].iter().any(|p| p.name() == q.name()) {
                return Err(engine::Error::invalid(
                    "queues",
                    format!("two queues are named \"{}\"", q.name()),
                ));
            }
        }
        let base = request::path_segments(&opts.base_path)
            .map_err(|e| engine::Error::invalid("basePath", e.message))?;
        Ok(AdminApi {
            queues,
            base,
            health: opts.health,
        })
    }

    /// Answers one request. `target` is the path and query (`/email/jobs?status=failed`),
    /// with or without the base path; `body` is the raw body text, if any.
    /// Never fails: every problem is a status with a message.
    pub async fn handle(&self, method: &str, target: &str, body: Option<&str>) -> AdminResponse {
        let (mut segments, query) = match request::split_target(target) {
            Ok(parts) => parts,
            Err(e) => return failure(e, None),
        };
        if !self.base.is_empty() && segments.starts_with(&self.base) {
            segments.drain(..self.base.len());
        }
        let route = match request::route(method, &segments) {
            Ok(r) => r,
            Err(Miss::NotFound) => {
                let hint = if self.base.is_empty() {
                    " (set basePath if the handler sees the full path)"
                } else {
                    ""
                };
                let msg = format!("no admin endpoint at /{}{hint}", segments.join("/"));
                return failure(ApiError::new(404, msg), None);
            }
            Err(Miss::MethodNotAllowed(allow)) => {
                let msg = format!("{method} is not allowed here; use {allow}");
                return failure(ApiError::new(405, msg), Some(allow));
            }
        };
        let body = match body_object(body) {
            Ok(b) => b,
            Err(e) => return failure(e, None),
        };
        let answer = match route {
            Route::Health => return self.health().await,
            Route::AllStats => self.all_stats().await,
            Route::AllSchedulers => actions::all_schedulers(&self.queues).await,
            Route::Queue { queue, action } => match self.queue(&queue) {
                Ok(q) => actions::run(q, action, &query, &body).await,
                Err(e) => Err(e),
            },
        };
        match answer {
            Ok(r) => AdminResponse {
                status: 200,
                body: json!({ "success": true, "message": r.message, "data": r.data }),
                allow: None,
            },
            Err(e) => failure(e, None),
        }
    }

    fn queue(&self, name: &str) -> Result<&Queue, ApiError> {
        self.queues
            .iter()
            .find(|q| q.name() == name)
            .ok_or_else(|| ApiError::new(404, format!("queue \"{name}\" not found")))
    }

    /// Every queue's stats, keyed by queue name.
    async fn all_stats(&self) -> Result<actions::Reply, ApiError> {
        let all = join_all(self.queues.iter().map(actions::stats)).await;
        let mut data = Map::new();
        for s in all {
            let s = s?;
            data.insert(s.name.clone(), json!(s));
        }
        Ok(actions::Reply {
            message: "Queue statistics retrieved successfully".into(),
            data: Value::Object(data),
        })
    }

    /// `{ healthy, issues, stats }`: 200 when healthy, else 503 so load
    /// balancers and uptime checks see it. A queue whose stats cannot be read
    /// is an issue too.
    async fn health(&self) -> AdminResponse {
        let all = join_all(self.queues.iter().map(actions::stats)).await;
        let mut issues = Vec::new();
        let mut by_name = Map::new();
        for (q, s) in self.queues.iter().zip(all) {
            match s {
                Ok(s) => {
                    issues.extend(self.health.issues(&s));
                    by_name.insert(s.name.clone(), json!(s));
                }
                Err(e) => issues.push(format!("{}: stats unavailable ({e})", q.name())),
            }
        }
        // Redis itself: out of memory, loading, a replica (the queues share it).
        // An ACL user without INFO just gets no `redis` section.
        let redis = match self.queues[0].redis_health().await {
            Ok(h) => {
                issues.extend(h.issues.iter().cloned());
                json!(h)
            }
            Err(_) => Value::Null,
        };
        let healthy = issues.is_empty();
        AdminResponse {
            status: if healthy { 200 } else { 503 },
            body: json!({ "healthy": healthy, "issues": issues, "stats": by_name, "redis": redis }),
            allow: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An API over queues no server answers for: enough for every answer that
    /// is decided before the first Redis command.
    fn offline(base_path: &str) -> AdminApi {
        let conn = engine::ConnectionOptions {
            url: Some("redis://127.0.0.1:1".into()),
            ..Default::default()
        };
        let queues = ["email", "sync"]
            .iter()
            .map(|n| Queue::new(n, &conn, engine::QueueOptions::default()).unwrap())
            .collect();
        let opts = AdminOptions {
            base_path: base_path.into(),
            ..Default::default()
        };
        AdminApi::new(queues, opts).unwrap()
    }

    #[tokio::test]
    async fn requests_are_refused_before_touching_redis() {
        let api = offline("");
        let cases = [
            ("GET", "/nope", None, 404),
            ("GET", "/admin/queues/stats", None, 404),
            ("POST", "/stats", None, 405),
            ("GET", "/other/stats", None, 404),
            ("GET", "/email/jobs?status=done", None, 400),
            ("GET", "/email/jobs?start=x", None, 400),
            ("GET", "/email/jobs?start=5&end=2", None, 400),
            ("GET", "/email/jobs?start=0&end=1000", None, 400),
            ("POST", "/email/clean", Some("{bad"), 400),
            ("POST", "/email/clean", Some(r#"{"grace":-1}"#), 400),
            ("POST", "/email/clean", Some(r#"{"status":"gone"}"#), 400),
            (
                "POST",
                "/email/jobs/retry-failed",
                Some(r#"{"limit":0}"#),
                400,
            ),
        ];
        for (method, target, body, status) in cases {
            let r = api.handle(method, target, body).await;
            assert_eq!(r.status, status, "{method} {target}: {}", r.body);
            assert_eq!(r.body["success"], false);
            assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
            assert_eq!(r.body["data"], Value::Null);
        }
        let r = api.handle("GET", "/email/pause", None).await;
        assert_eq!(r.allow, Some("POST"));
    }

    #[tokio::test]
    async fn base_path_is_removed_only_when_the_path_starts_with_it() {
        let api = offline("/admin/queues");
        // Both spellings reach the same route (here: an unknown queue's stats).
        for target in ["/admin/queues/other/stats", "/other/stats"] {
            let r = api.handle("GET", target, None).await;
            assert_eq!(r.status, 404);
            assert_eq!(r.body["message"], "queue \"other\" not found");
        }
        assert_eq!(api.handle("GET", "/admin/queues", None).await.status, 404);
    }

    #[tokio::test]
    async fn queues_must_be_unique_and_present() {
        let conn = engine::ConnectionOptions::default();
        let q = || Queue::new("email", &conn, engine::QueueOptions::default()).unwrap();
        assert!(AdminApi::new(vec![], AdminOptions::default()).is_err());
        assert!(AdminApi::new(vec![q(), q()], AdminOptions::default()).is_err());
    }
}
