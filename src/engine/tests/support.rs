//! Starts one private redis-server for the whole test binary (free loopback
//! port, no persistence) and kills it by pid when the process exits. Set
//! REDIS_URL to use an existing server instead.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::engine::{ConnectionOptions, Queue, QueueOptions};

struct Server {
    url: String,
    child: Option<Child>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

static SERVER: OnceLock<Mutex<Server>> = OnceLock::new();

fn start() -> Server {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return Server { url, child: None };
    }
    if Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        panic!(
            "redis-server not found: install it (Debian: apt-get install redis-server) or set REDIS_URL"
        );
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The test binary exits without running destructors of statics, so a small
    // watchdog shell stops the server (by pid) as soon as this process is gone.
    let script = format!(
        "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 & r=$!; \
         while kill -0 {parent} 2>/dev/null && kill -0 $r 2>/dev/null; do sleep 0.2; done; kill $r 2>/dev/null",
        parent = std::process::id()
    );
    let child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .spawn()
        .expect("sh");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "redis-server did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Server {
        url: format!("redis://127.0.0.1:{port}"),
        child: Some(child),
    }
}

/// The test server's URL.
pub fn redis_url() -> String {
    let s = SERVER.get_or_init(|| Mutex::new(start()));
    s.lock().unwrap().url.clone()
}

/// The store the engine tests run on: the test redis-server, or with
/// `FERROQ_TEST_STORE=memory` the embedded store (one per test binary, as one
/// Redis is; queue names keep tests apart).
pub fn connection() -> ConnectionOptions {
    let url = match std::env::var("FERROQ_TEST_STORE").as_deref() {
        Ok("memory") => "memory://cargo-tests".to_string(),
        _ => redis_url(),
    };
    ConnectionOptions {
        url: Some(url),
        ..Default::default()
    }
}

/// A queue with a name no other test uses.
pub fn fresh_queue(tag: &str) -> Queue {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "t-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    Queue::new(&name, &connection(), QueueOptions::default()).unwrap()
}

/// A raw command on the queue's connection.
pub async fn cmd<T: redis::FromRedisValue>(q: &Queue, c: &mut redis::Cmd) -> T {
    redis::from_redis_value(q.raw(c).await.unwrap()).unwrap()
}

/// Polls `f` until it returns Some, for up to 10 s.
pub async fn eventually<T, F, Fut>(mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "condition not met within 10 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The events stream's entries, oldest first, each as its field/value pairs.
pub async fn events(q: &Queue) -> Vec<Vec<(String, String)>> {
    let entries: Vec<(String, Vec<(String, String)>)> = cmd(
        q,
        redis::cmd("XRANGE").arg(&q.keys().events).arg("-").arg("+"),
    )
    .await;
    entries.into_iter().map(|(_, fields)| fields).collect()
}

/// The events stream's entries as `event` name plus the other fields, `k=v`
/// joined with spaces (e.g. `waiting jobId=3 prev=delayed`), oldest first.
pub async fn event_lines(q: &Queue) -> Vec<String> {
    events(q)
        .await
        .into_iter()
        .map(|fields| {
            let mut line = String::new();
            for (k, v) in fields {
                if k == "event" {
                    line.insert_str(0, &v);
                } else {
                    line.push_str(&format!(" {k}={v}"));
                }
            }
            line
        })
        .collect()
}

/// A job hash as sorted field/value pairs (empty when the job does not exist).
pub async fn job_hash(q: &Queue, id: &str) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = cmd(q, redis::cmd("HGETALL").arg(q.keys().job(id))).await;
    h.sort();
    h
}

/// A list's items, head first.
pub async fn list(q: &Queue, key: &str) -> Vec<String> {
    cmd(q, redis::cmd("LRANGE").arg(key).arg(0).arg(-1)).await
}

/// A sorted set's members with their scores (as Redis prints them), lowest first.
pub async fn zset(q: &Queue, key: &str) -> Vec<(String, String)> {
    cmd(
        q,
        redis::cmd("ZRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES"),
    )
    .await
}

/// Whether a key exists.
pub async fn exists(q: &Queue, key: &str) -> bool {
    cmd::<u64>(q, redis::cmd("EXISTS").arg(key)).await == 1
}
