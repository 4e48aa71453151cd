//! Reading an admin request: the route table, percent-decoding of the path and
//! query, and the checks on query and body parameters. Everything here is pure
//! (no Redis), so the route table is tested by plain `cargo test`.

use serde_json::{Map, Value};

use super::ApiError;

/// The job states `status=` accepts, in BullMQ's names.
pub const STATUSES: [&str; 8] = [
    "waiting",
    "active",
    "completed",
    "failed",
    "delayed",
    "prioritized",
    "paused",
    "waiting-children",
];

/// A matched endpoint. Queue names and job ids are percent-decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `GET /health`
    Health,
    /// `GET /stats`
    AllStats,
    /// `GET /schedulers`: every queue's job schedulers.
    AllSchedulers,
    /// `/:name/...`: something done to one queue.
    Queue {
        /// The queue's name.
        queue: String,
        /// What to do.
        action: Action,
    },
}

/// What a `/:name/...` route does to its queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `GET /:name/stats`
    Stats,
    /// `GET /:name/jobs`
    ListJobs,
    /// `GET /:name/schedulers`
    Schedulers,
    /// `GET /:name/job/:id`
    GetJob(String),
    /// `POST /:name/job/:id/retry`
    RetryJob(String),
    /// `DELETE /:name/job/:id`
    RemoveJob(String),
    /// `POST /:name/pause`
    Pause,
    /// `POST /:name/resume`
    Resume,
    /// `POST /:name/clean`
    Clean,
    /// `POST /:name/jobs/retry-failed`
    RetryFailed,
}

/// Why no route matched: the path is unknown (404), or known but not for this
/// method (405, with the `Allow` header value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No endpoint has this path.
    NotFound,
    /// The path exists; these methods are allowed on it.
    MethodNotAllowed(&'static str),
}

const GET: &str = "GET, HEAD";
const POST: &str = "POST";
const GET_DELETE: &str = "GET, HEAD, DELETE";

/// Matches a method and the path's decoded segments (mount prefix already
/// removed) against the endpoint table. HEAD is answered like GET.
pub fn route(method: &str, segments: &[String]) -> Result<Route, Miss> {
    let method = method.to_ascii_uppercase();
    let get = method == "GET" || method == "HEAD";
    let post = method == "POST";
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let (queue, allow, action) = match s.as_slice() {
        ["health"] => {
            return get
                .then_some(Route::Health)
                .ok_or(Miss::MethodNotAllowed(GET));
        }
        ["stats"] => {
            return get
                .then_some(Route::AllStats)
                .ok_or(Miss::MethodNotAllowed(GET));
        }
        ["schedulers"] => {
            return get
                .then_some(Route::AllSchedulers)
                .ok_or(Miss::MethodNotAllowed(GET));
        }
        [q, "stats"] => (q, GET, get.then_some(Action::Stats)),
        [q, "jobs"] => (q, GET, get.then_some(Action::ListJobs)),
        [q, "schedulers"] => (q, GET, get.then_some(Action::Schedulers)),
        [q, "job", id] => {
            let action = if get {
                Some(Action::GetJob(id.to_string()))
            } else if method == "DELETE" {
                Some(Action::RemoveJob(id.to_string()))
            } else {
                None
            };
            (q, GET_DELETE, action)
        }
        [q, "job", id, "retry"] => (q, POST, post.then(|| Action::RetryJob(id.to_string()))),
        [q, "pause"] => (q, POST, post.then_some(Action::Pause)),
        [q, "resume"] => (q, POST, post.then_some(Action::Resume)),
        [q, "clean"] => (q, POST, post.then_some(Action::Clean)),
        [q, "jobs", "retry-failed"] => (q, POST, post.then_some(Action::RetryFailed)),
        _ => return Err(Miss::NotFound),
    };
    let action = action.ok_or(Miss::MethodNotAllowed(allow))?;
    Ok(Route::Queue {
        queue: queue.to_string(),
        action,
    })
}

/// Decoded query pairs, in request order.
pub type Query = Vec<(String, String)>;

/// A request target (`/a/b?x=1`) split into decoded path segments (empty ones
/// dropped, so `//stats/` is `/stats`) and decoded query pairs.
pub fn split_target(target: &str) -> Result<(Vec<String>, Query), ApiError> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    // A fragment never reaches a server, but be tolerant of one.
    let query = query.split('#').next().unwrap_or("");
    let segments = path_segments(path)?;
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let decode = |s: &str| {
            percent_decode(&s.replace('+', " ")).ok_or_else(|| {
                ApiError::bad_request("the query string is not valid percent-encoding")
            })
        };
        pairs.push((decode(k)?, decode(v)?));
    }
    Ok((segments, pairs))
}

/// Decoded, non-empty segments of a path.
pub fn path_segments(path: &str) -> Result<Vec<String>, ApiError> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_decode(s)
                .ok_or_else(|| ApiError::bad_request("the path is not valid percent-encoding"))
        })
        .collect()
}

/// `%XX` escapes to bytes, then UTF-8. `None` for a broken escape or bytes
/// that are not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The first value of query parameter `key`.
pub fn query_param<'a>(query: &'a [(String, String)], key: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A whole number >= 0 from a query value.
pub fn query_uint(query: &[(String, String)], key: &str) -> Result<Option<u64>, ApiError> {
    match query_param(query, key) {
        None | Some("") => Ok(None),
        Some(v) => parse_uint(v).map(Some).ok_or_else(|| {
            ApiError::bad_request(format!("{key} must be an integer >= 0, got \"{v}\""))
        }),
    }
}

fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A `status` value checked against [`STATUSES`]; `default` when absent.
pub fn status<'a>(value: Option<&'a str>, default: &'a str) -> Result<&'a str, ApiError> {
    match value {
        None | Some("") => Ok(default),
        Some(s) if STATUSES.contains(&s) => Ok(s),
        Some(s) => Err(ApiError::bad_request(format!(
            "unknown status \"{s}\"; use one of {}",
            STATUSES.join(", ")
        ))),
    }
}

/// The request body as a JSON object: absent or blank is an empty object,
/// anything but an object is a 400.
pub fn body_object(body: Option<&str>) -> Result<Map<String, Value>, ApiError> {
    let Some(text) = body.filter(|b| !b.trim().is_empty()) else {
        return Ok(Map::new());
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(ApiError::bad_request("the body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!(
            "the body is not valid JSON ({e})"
        ))),
    }
}

/// A whole number >= 0 from a body field: a JSON number, or a string of digits
/// (as HTML forms send); `null` or absent is `None`.
pub fn body_uint(body: &Map<String, Value>, key: &str) -> Result<Option<u64>, ApiError> {
    let bad = |v: &Value| ApiError::bad_request(format!("{key} must be an integer >= 0, got {v}"));
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Number(n)) => n.as_u64().map(Some).ok_or_else(|| bad(v)),
        Some(v @ Value::String(s)) => parse_uint(s).map(Some).ok_or_else(|| bad(v)),
        Some(v) => Err(bad(v)),
    }
}

/// A string body field; `null` or absent is `None`.
pub fn body_str<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(ApiError::bad_request(format!(
            "{key} must be a string, got {v}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(path: &str) -> Vec<String> {
        path_segments(path).unwrap()
    }

    fn on(queue: &str, action: Action) -> Route {
        Route::Queue {
            queue: queue.into(),
            action,
        }
    }

    #[test]
    fn every_endpoint_has_a_route() {
        let id = || "42".to_string();
        let cases = [
            ("GET", "/health", Route::Health),
            ("GET", "/stats", Route::AllStats),
            ("GET", "/schedulers", Route::AllSchedulers),
            (
                "GET",
                "/cleanup/schedulers",
                on("cleanup", Action::Schedulers),
            ),
            ("GET", "/email/stats", on("email", Action::Stats)),
            ("GET", "/email/jobs", on("email", Action::ListJobs)),
            ("GET", "/email/job/42", on("email", Action::GetJob(id()))),
            (
                "POST",
                "/email/job/42/retry",
                on("email", Action::RetryJob(id())),
            ),
            (
                "DELETE",
                "/email/job/42",
                on("email", Action::RemoveJob(id())),
            ),
            ("POST", "/email/pause", on("email", Action::Pause)),
            ("POST", "/email/resume", on("email", Action::Resume)),
            ("POST", "/email/clean", on("email", Action::Clean)),
            (
                "POST",
                "/email/jobs/retry-failed",
                on("email", Action::RetryFailed),
            ),
            // Queue names may be the words the routes use.
            ("GET", "/stats/stats", on("stats", Action::Stats)),
        ];
        for (method, path, want) in cases {
            assert_eq!(route(method, &segs(path)), Ok(want), "{method} {path}");
        }
    }

    #[test]
    fn head_is_get_and_methods_are_case_insensitive() {
        assert_eq!(route("HEAD", &segs("/health")), Ok(Route::Health));
        assert_eq!(route("post", &segs("/q/pause")), Ok(on("q", Action::Pause)));
    }

    #[test]
    fn a_known_path_with_the_wrong_method_is_405_with_allow() {
        assert_eq!(
            route("POST", &segs("/stats")),
            Err(Miss::MethodNotAllowed("GET, HEAD"))
        );
        assert_eq!(
            route("GET", &segs("/q/pause")),
            Err(Miss::MethodNotAllowed("POST"))
        );
        assert_eq!(
            route("PUT", &segs("/q/job/1")),
            Err(Miss::MethodNotAllowed("GET, HEAD, DELETE"))
        );
    }

    #[test]
    fn unknown_paths_are_404() {
        for p in [
            "/",
            "/nope",
            "/q/job",
            "/q/job/1/retry/x",
            "/q/jobs/retry-all",
        ] {
            assert_eq!(route("GET", &segs(p)), Err(Miss::NotFound), "{p}");
        }
    }

    #[test]
    fn segments_and_query_are_decoded() {
        let (s, q) = split_target("//my%20queue/job/a%2Fb/?status=failed&x=a+b&flag#frag").unwrap();
        assert_eq!(s, ["my queue", "job", "a/b"]);
        assert_eq!(query_param(&q, "status"), Some("failed"));
        assert_eq!(query_param(&q, "x"), Some("a b"));
        assert_eq!(query_param(&q, "flag"), Some(""));
        assert!(split_target("/q/job/%zz").is_err());
        assert!(split_target("/q/job/%ff").is_err(), "not UTF-8");
        assert!(split_target("/q/job/%4").is_err(), "cut escape");
    }

    #[test]
    fn integers_are_whole_and_non_negative() {
        let q = vec![
            ("a".to_string(), "12".to_string()),
            ("b".into(), "-1".into()),
            ("c".into(), "1.5".into()),
        ];
        assert_eq!(query_uint(&q, "a").unwrap(), Some(12));
        assert_eq!(query_uint(&q, "missing").unwrap(), None);
        assert_eq!(query_uint(&q, "b").unwrap_err().status, 400);
        assert_eq!(query_uint(&q, "c").unwrap_err().status, 400);
        let body = body_object(Some(
            r#"{"n":5,"s":"7","neg":-3,"f":1.5,"t":true,"z":null}"#,
        ))
        .unwrap();
        assert_eq!(body_uint(&body, "n").unwrap(), Some(5));
        assert_eq!(body_uint(&body, "s").unwrap(), Some(7));
        assert_eq!(body_uint(&body, "z").unwrap(), None);
        for k in ["neg", "f", "t"] {
            assert_eq!(body_uint(&body, k).unwrap_err().status, 400, "{k}");
        }
    }

    #[test]
    fn bodies_must_be_json_objects() {
        assert!(body_object(None).unwrap().is_empty());
        assert!(body_object(Some("  ")).unwrap().is_empty());
        assert_eq!(body_object(Some("{oops")).unwrap_err().status, 400);
        assert_eq!(body_object(Some("[1]")).unwrap_err().status, 400);
    }

    #[test]
    fn statuses_are_bullmq_state_names() {
        assert_eq!(status(None, "waiting").unwrap(), "waiting");
        assert_eq!(status(Some("failed"), "waiting").unwrap(), "failed");
        assert_eq!(status(Some("done"), "waiting").unwrap_err().status, 400);
    }
}
