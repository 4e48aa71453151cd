//! `NativeQueueEvents`: the engine's events-stream reader for JS. Each batch of
//! entries crosses once, as JSON text `{"events":[[id,{field:value}],...]}` or
//! `{"error":"..."}`.

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};

use super::channel::{Channel, NativeChannel, Sink};
use super::error::{Code, coded};
use super::options::{self, QueueHandleOptions};
use crate::engine::{EventSink, QueueEvents, QueueEventsOptions, StreamEvent};

/// The reader's end of the channel; held (and Node with it) until `close()`.
struct JsSink {
    sink: Sink,
}

impl EventSink for JsSink {
    fn events(&self, events: Vec<StreamEvent>) {
        let arr: Vec<Value> = events
            .into_iter()
            .map(|e| {
                let fields: Map<String, Value> = e
                    .fields
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                Value::Array(vec![Value::String(e.id), Value::Object(fields)])
            })
            .collect();
        self.sink
            .push(serde_json::json!({ "events": arr }).to_string());
    }

    fn error(&self, code: &'static str, message: String) {
        self.sink
            .push(serde_json::json!({ "error": message, "code": code }).to_string());
    }
}

/// A QueueEvents reader's own options.
#[napi(object)]
pub struct QueueEventsHandleOptions {
    /// Stream id to read after (`$` = only new events, the default).
    pub last_event_id: Option<String>,
    /// How long one blocking read waits, ms.
    pub blocking_timeout: Option<f64>,
}

/// The longest XREAD block time passed on (2^31 - 1 ms, as Node's timers).
const MAX_BLOCKING_TIMEOUT_MS: u64 = i32::MAX as u64;

/// Reads a queue's events stream. Wrapped by `QueueEvents` in index.js.
#[napi]
pub struct NativeQueueEvents {
    inner: Arc<QueueEvents>,
    channel: Channel,
    sink_id: u32,
}

#[napi]
impl NativeQueueEvents {
    /// Batches arrive on `channel` under `sinkId`: `{"events":[...]}` or `{"error":"..."}`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: &Env,
        name: String,
        queue: QueueHandleOptions,
        opts: QueueEventsHandleOptions,
        channel: &NativeChannel,
    ) -> Result<Self, Code> {
        let (conn, qopts) = options::queue(&queue).map_err(|e| coded(&e))?;
        let mut eopts = QueueEventsOptions {
            prefix: qopts.prefix,
            last_event_id: opts.last_event_id,
            ..Default::default()
        };
        if let Some(t) = opts.blocking_timeout.filter(|t| *t > 0.0) {
            // Redis refuses a block time past its integer range (every read
            // would fail); ~24.8 days already means "until an event comes".
            eopts.blocking_timeout_ms = t.min(MAX_BLOCKING_TIMEOUT_MS as f64) as u64;
        }
        let channel = channel.channel.clone();
        let sink = channel.sink(env);
        let sink_id = sink.id();
        let ev = QueueEvents::new(&name, &conn, eopts, Arc::new(JsSink { sink }))
            .map_err(|e| coded(&e))?;
        Ok(NativeQueueEvents {
            inner: Arc::new(ev),
            channel,
            sink_id,
        })
    }

    /// The id this reader's batches arrive under on the channel.
    #[napi(getter, catch_unwind)]
    pub fn sink_id(&self) -> u32 {
        self.sink_id
    }

    /// Starts reading.
    #[napi(catch_unwind)]
    pub fn run(&self) {
        let ev = self.inner.clone();
        napi::bindgen_prelude::within_runtime_if_available(move || ev.run());
    }

    /// Request: resolves (with nothing) once positioned in the stream.
    #[napi(catch_unwind)]
    pub fn wait_until_ready(&self, env: &Env) -> u32 {
        let ev = self.inner.clone();
        self.channel
            .request(env, async move { ev.wait_until_ready().await })
    }

    /// Stops reading and ends the sink. Request: resolves with nothing.
    #[napi(catch_unwind)]
    pub fn close(&self, env: &Env) -> u32 {
        let ev = self.inner.clone();
        self.channel.request(env, async move {
            ev.close().await;
            Ok(())
        })
    }
}
