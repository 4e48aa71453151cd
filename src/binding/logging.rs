//! Logging: the engine logs through `tracing`. Nothing is printed by default;
//! `FERROQ_LOG=info|debug|...` (an EnvFilter directive, read once at load)
//! prints to stderr, and `setLogCallback(fn, level)` forwards records at or
//! above `level` to JS (index.js turns that into `setLogger((level, message,
//! fields) => ...)` for pino/winston). The JS callback is weak: it never keeps
//! Node alive.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, filter};

use super::error::{Code, coded};
use crate::engine;

type LogFn = ThreadsafeFunction<String, (), String, Status, false, true>;

static JS_LOGGER: RwLock<Option<Arc<LogFn>>> = RwLock::new(None);
/// The most verbose level forwarded to JS: 0 = off, 1 = error ... 5 = trace.
static JS_LEVEL: AtomicU8 = AtomicU8::new(0);

fn rank(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 1,
        Level::WARN => 2,
        Level::INFO => 3,
        Level::DEBUG => 4,
        Level::TRACE => 5,
    }
}

/// Collects an event's fields as JSON; `message` separately.
#[derive(Default)]
struct Fields {
    message: String,
    fields: Map<String, Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.fields
                .insert(field.name().to_string(), Value::String(value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields
                .insert(field.name().to_string(), Value::String(text));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields
            .insert(field.name().to_string(), Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields
            .insert(field.name().to_string(), Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields
            .insert(field.name().to_string(), Value::from(value));
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields
            .insert(field.name().to_string(), Value::from(value));
    }
}

/// Forwards events to the JS logger, if one is set.
struct JsForward;

impl<S: Subscriber> Layer<S> for JsForward {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let logger = match JS_LOGGER.read() {
            Ok(g) => g.clone(),
            Err(_) => return,
        };
        let Some(logger) = logger else { return };
        let mut f = Fields::default();
        event.record(&mut f);
        let meta = event.metadata();
        f.fields
            .insert("target".into(), Value::String(meta.target().to_string()));
        let record = serde_json::json!({
            "level": meta.level().as_str().to_ascii_lowercase(),
            "message": f.message,
            "fields": Value::Object(f.fields),
        });
        let _ = logger.call(record.to_string(), ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// Installs the subscriber once per process (called at module load).
pub fn init() {
    let env = std::env::var("FERROQ_LOG").unwrap_or_default();
    let stderr_filter = EnvFilter::try_new(if env.trim().is_empty() {
        "off"
    } else {
        env.trim()
    })
    .unwrap_or_else(|_| EnvFilter::new("off"));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(stderr_filter);
    let js = JsForward.with_filter(filter::filter_fn(|meta| {
        rank(meta.level()) <= JS_LEVEL.load(Ordering::Relaxed)
    }));
    // Another subscriber may already be installed by the host; then ours stays out.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(js)
        .try_init();
}

/// Sets (or with `null`, clears) the JS log callback; it receives each record
/// as JSON text `{ level, message, fields }`. `level`: error|warn|info|debug|trace.
#[napi(catch_unwind)]
pub fn set_log_callback(
    callback: Option<ThreadsafeFunction<String, (), String, Status, false, true>>,
    level: Option<String>,
) -> Result<(), Code> {
    let rank = match level.as_deref().unwrap_or("info") {
        "error" => 1,
        "warn" => 2,
        "info" => 3,
        "debug" => 4,
        "trace" => 5,
        "silent" | "off" => 0,
        other => {
            return Err(coded(&engine::Error::invalid(
                "level",
                format!("must be error, warn, info, debug, trace or silent, got \"{other}\""),
            )));
        }
    };
    let mut slot = JS_LOGGER.write().unwrap_or_else(|e| e.into_inner());
    match callback {
        Some(cb) => {
            *slot = Some(Arc::new(cb));
            JS_LEVEL.store(rank, Ordering::Relaxed);
        }
        None => {
            *slot = None;
            JS_LEVEL.store(0, Ordering::Relaxed);
        }
    }
    drop(slot);
    // tracing caches per call site whether anyone listens; the level just
    // changed, so ask every call site again.
    tracing::callsite::rebuild_interest_cache();
    Ok(())
}
