//! `NativeQueueEvents`: the engine's events-stream reader for JS. Each batch of
//! entries crosses once, as JSON text `{"events":[[id,{field:value}],...]}` or
//! `{"error":"..."}`.

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use serde_json::{Map, Value};

use super::error::{Code, coded};
use super::options;
use crate::engine::{EventSink, QueueEvents, QueueEventsOptions, StreamEvent};

struct JsSink {
    deliver: ThreadsafeFunction<String, (), String, Status, false>,
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
        let json = serde_json::json!({ "events": arr }).to_string();
        let _ = self
            .deliver
            .call(json, ThreadsafeFunctionCallMode::NonBlocking);
    }

    fn error(&self, message: String) {
        let json = serde_json::json!({ "error": message }).to_string();
        let _ = self
            .deliver
            .call(json, ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// Reads a queue's events stream. Wrapped by `QueueEvents` in index.js.
#[napi]
pub struct NativeQueueEvents {
    inner: Arc<QueueEvents>,
}

#[napi]
impl NativeQueueEvents {
    /// `optsJson`: `{ connection, prefix, lastEventId, blockingTimeout }`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        name: String,
        opts_json: String,
        deliver: ThreadsafeFunction<String, (), String, Status, false>,
    ) -> Result<Self, Code> {
        let o = options::parse(&opts_json, "opts").map_err(|e| coded(&e))?;
        let (conn, qopts) = options::queue(&o).map_err(|e| coded(&e))?;
        let mut eopts = QueueEventsOptions {
            prefix: qopts.prefix,
            ..Default::default()
        };
        if let Some(Value::String(id)) = o.get("lastEventId") {
            eopts.last_event_id = Some(id.clone());
        }
        if let Some(t) = o
            .get("blockingTimeout")
            .and_then(Value::as_f64)
            .filter(|t| *t > 0.0)
        {
            eopts.blocking_timeout_ms = t as u64;
        }
        let ev = QueueEvents::new(&name, &conn, eopts, Arc::new(JsSink { deliver }))
            .map_err(|e| coded(&e))?;
        Ok(NativeQueueEvents {
            inner: Arc::new(ev),
        })
    }

    /// Starts reading.
    #[napi(catch_unwind)]
    pub fn run(&self) {
        let ev = self.inner.clone();
        napi::bindgen_prelude::within_runtime_if_available(move || ev.run());
    }

    /// Resolves once positioned in the stream.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn wait_until_ready<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let ev = self.inner.clone();
        env.spawn_future_with_callback(
            async move {
                ev.wait_until_ready().await;
                Ok(())
            },
            |_, _| Ok(()),
        )
    }

    /// Stops reading; releases the JS callback.
    #[napi(catch_unwind, ts_return_type = "Promise<void>")]
    pub fn close<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let ev = self.inner.clone();
        env.spawn_future_with_callback(
            async move {
                ev.close().await;
                Ok(())
            },
            |_, _| Ok(()),
        )
    }
}
