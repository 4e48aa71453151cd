//! Several calls of one transition as one atomic step, for batches too big
//! for one script call: the caller splits its items into chunks (one call
//! each) and this sends them as EVALSHAs inside one MULTI/EXEC. On the
//! embedded store the same pipeline runs under one hold of the store's lock.
//!
//! Why chunk at all, when Redis 7.0 takes an EVALSHA with hundreds of
//! thousands of ARGV? A single script adding tens of thousands of jobs runs
//! past Redis's busy-script threshold (5 s), after which every other client
//! gets BUSY replies; a transaction of shorter scripts keeps the same
//! isolation (no other client's command runs in between) without that.
//! Chunks also bound the memory one script call needs.
//!
//! All or nothing: every EVALSHA names the same script and EXEC runs them
//! back to back, so either the script is cached for all of them or none runs
//! (NOSCRIPT for every one); then the script is loaded and the whole
//! transaction sent once more. As in BullMQ's `addBulk` (a MULTI of add
//! scripts), Redis does not roll back: a chunk failing at run time (which the
//! scripts avoid by checking their input first) leaves earlier chunks in place.

use redis::{ErrorKind, FromRedisValue, RedisError, RedisResult, Value};

use super::Call;
use crate::engine::error::{Error, Result};
use crate::engine::queue::Queue;

/// Sends `calls` (all of one transition) as one transaction; one decoded reply
/// per call, in order. One call is sent as a plain EVALSHA.
pub(crate) async fn invoke_atomic<T: FromRedisValue>(
    calls: Vec<Call>,
    queue: &Queue,
) -> Result<Vec<T>> {
    if calls.len() == 1 {
        let call = calls.into_iter().next().expect("one call");
        return Ok(vec![call.invoke(queue).await?]);
    }
    let name = calls.first().map_or("", |c| c.transition.name);
    invoke_atomic_raw(calls, queue).await.map_err(|e| {
        tracing::debug!(script = name, error = %e, "chunked script call failed");
        Error::from(e)
    })
}

/// As [`invoke_atomic`], with Redis's error kept as is (for the worker loop,
/// which retries transient failures). A closed queue is an I/O error here.
pub(crate) async fn invoke_atomic_raw<T: FromRedisValue>(
    calls: Vec<Call>,
    queue: &Queue,
) -> RedisResult<Vec<T>> {
    let Some(first) = calls.first() else {
        return Ok(Vec::new());
    };
    let transition = first.transition;
    if calls.len() == 1 {
        let call = calls.into_iter().next().expect("one call");
        return Ok(vec![call.invoke_raw(queue).await?]);
    }
    let mut con = queue
        .con()
        .map_err(|_| RedisError::from((ErrorKind::Io, "queue closed")))?;
    let script = queue.script(transition).await?;
    let mut pipe = redis::pipe();
    // ignore_errors: the replies come back one by one, so a NOSCRIPT can be
    // told apart from a script's own failure.
    pipe.atomic().ignore_errors();
    for c in &calls {
        debug_assert!(std::ptr::eq(c.transition, transition));
        pipe.cmd("EVALSHA")
            .arg(script.get_hash())
            .arg(c.keys.len())
            .arg(&c.keys)
            .arg(&c.args);
    }
    let mut replies: Vec<Value> = pipe.query_async(&mut con).await?;
    if replies.iter().all(is_noscript) {
        script.load_async(&mut con).await?;
        replies = pipe.query_async(&mut con).await?;
    }
    if replies.len() != calls.len() {
        return Err(RedisError::from((
            ErrorKind::Client,
            "transaction reply",
            format!(
                "{} replies for {} calls of {}",
                replies.len(),
                calls.len(),
                transition.name
            ),
        )));
    }
    let mut out = Vec::with_capacity(replies.len());
    for v in replies {
        if let Value::ServerError(e) = v {
            return Err(RedisError::from(e));
        }
        out.push(T::from_redis_value(v).map_err(RedisError::from)?);
    }
    Ok(out)
}

fn is_noscript(v: &Value) -> bool {
    matches!(v, Value::ServerError(e) if e.code() == "NOSCRIPT")
}
