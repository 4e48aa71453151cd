//! The one ordered channel from Rust to JS. Everything the engine tells JS
//! travels here, in the order Rust produced it: the answer to every request
//! (what an async native method resolves or rejects with), worker batches and
//! QueueEvents batches. One long-lived threadsafe function per channel (JS makes
//! one per loaded copy of `src/js/channel.js`, so one per process outside of
//! test runners), instead of one per call.
//!
//! A request method takes its arguments, starts the work on the runtime and
//! returns a request id at once; the answer arrives later as one entry of a
//! delivery. JS receives each delivery as ONE flat array of triples
//! `[id, kind, value, id, kind, value, ...]`:
//!
//! | kind            | meaning                                                  |
//! |-----------------|----------------------------------------------------------|
//! | `0`             | request `id` resolved with `value`                       |
//! | a string        | request `id` rejected: `kind` is the code, `value` the message |
//! | `1`             | sink `id` (a worker, a QueueEvents) gets `value` (JSON text) |
//! | `2`             | sink `id` is finished: nothing more will come for it     |
//!
//! Ordering and the microtask queue: Node drains microtasks after each
//! threadsafe-function call it dispatches, not inside one. Answers that are
//! ready together travel in one call (fewer hand-offs); a sink entry never
//! joins a call that already carries answers, so code awaiting an answer runs
//! (its whole chain of `await`s) before JS sees anything Rust produced later.
//! That is what lets `await queue.add(); worker.on('completed', ...)` never
//! miss the event.
//!
//! Keeping Node alive: the threadsafe function is weak (unreferenced) while
//! nothing is pending. A request holds it from its start until its answer is
//! delivered; a sink holds it for its whole life (a running worker keeps Node
//! alive, as BullMQ's does; `close()` ends the sink). Holds are counted on the
//! JS thread only: taken by the native call that starts the request or sink,
//! given back when the delivery that ends it reaches JS.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{
    ThreadsafeCallContext, ThreadsafeFunction, ThreadsafeFunctionCallMode,
};
use napi::{Env, JsValue, sys};
use napi_derive::napi;

use crate::engine;

/// Entry kinds of a delivery (see the module docs).
const KIND_RESOLVED: u32 = 0;
const KIND_PUSH: u32 = 1;
const KIND_SINK_DONE: u32 = 2;

/// The JS-side receiver. Weak: it holds Node only while `refer`red (see
/// [`Shared::hold`]). The value passed per call is a bare wake-up: the data
/// waits in [`Shared::segments`], so a call never carries stale data.
type Wake = ThreadsafeFunction<(), (), Delivery, Status, false, true>;

/// A value a request resolves with, converted on the JS thread.
trait Answer: Send {
    fn put(self: Box<Self>, into: &mut Array, index: u32) -> Result<()>;
}

impl<T: ToNapiValue + Send> Answer for T {
    fn put(self: Box<Self>, into: &mut Array, index: u32) -> Result<()> {
        into.set(index, *self)
    }
}

enum Message {
    Resolved {
        id: u32,
        value: Box<dyn Answer>,
    },
    Rejected {
        id: u32,
        code: &'static str,
        message: String,
    },
    Push {
        sink: u32,
        payload: String,
    },
    SinkDone {
        sink: u32,
    },
}

impl Message {
    /// Whether delivering this message ends a hold.
    fn releases(&self) -> bool {
        !matches!(self, Message::Push { .. })
    }

    fn is_answer(&self) -> bool {
        matches!(self, Message::Resolved { .. } | Message::Rejected { .. })
    }
}

/// What one threadsafe-function call hands to JS.
struct Delivery(Vec<Message>);

impl ToNapiValue for Delivery {
    unsafe fn to_napi_value(env: sys::napi_env, delivery: Self) -> Result<sys::napi_value> {
        let env = Env::from_raw(env);
        let mut out = env.create_array((delivery.0.len() * 3) as u32)?;
        for (i, m) in delivery.0.into_iter().enumerate() {
            let at = (i * 3) as u32;
            match m {
                Message::Resolved { id, value } => {
                    out.set(at, id)?;
                    out.set(at + 1, KIND_RESOLVED)?;
                    value.put(&mut out, at + 2)?;
                }
                Message::Rejected { id, code, message } => {
                    out.set(at, id)?;
                    out.set(at + 1, code)?;
                    out.set(at + 2, message)?;
                }
                Message::Push { sink, payload } => {
                    out.set(at, sink)?;
                    out.set(at + 1, KIND_PUSH)?;
                    out.set(at + 2, payload)?;
                }
                Message::SinkDone { sink } => {
                    out.set(at, sink)?;
                    out.set(at + 1, KIND_SINK_DONE)?;
                    out.set(at + 2, ())?;
                }
            }
        }
        Ok(out.raw())
    }
}

/// Messages that travel in one threadsafe-function call.
#[derive(Default)]
struct Segment {
    messages: Vec<Message>,
    has_answer: bool,
}

struct Shared {
    /// Set right after creation (the callback needs a `Weak` to this struct).
    /// Read without a lock: a lock here would make the JS thread wait for a
    /// runtime thread that is inside `call` (a context switch per answer).
    wake: OnceLock<Wake>,
    /// Pending requests plus live sinks. JS thread only (atomic for `Sync`).
    holds: AtomicU32,
    next_id: AtomicU32,
    /// One entry per threadsafe-function call queued and not yet delivered.
    segments: Mutex<VecDeque<Segment>>,
}

impl Shared {
    fn send(&self, m: Message) {
        let mut segments = self.segments.lock().unwrap_or_else(|e| e.into_inner());
        // The newest segment has not reached JS yet (each call takes the oldest),
        // so a message can still join it, unless it is a push and the segment
        // carries answers whose awaiting code must run first.
        if let Some(last) = segments.back_mut()
            && (m.is_answer() || !last.has_answer)
        {
            last.has_answer |= m.is_answer();
            last.messages.push(m);
            return;
        }
        segments.push_back(Segment {
            has_answer: m.is_answer(),
            messages: vec![m],
        });
        drop(segments);
        if let Some(wake) = self.wake.get() {
            // Queues a wake-up (unbounded queue: never blocks). It fails only
            // while Node tears the environment down, when nobody is waiting.
            let _ = wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    /// Takes a hold (JS thread): the channel keeps Node alive while any exist.
    fn hold(&self, env: &Env) {
        if self.holds.fetch_add(1, Ordering::Relaxed) == 0
            && let Some(w) = self.wake.get()
        {
            keep_alive(env, w, true);
        }
    }

    /// Gives back `n` holds (JS thread).
    fn release(&self, env: &Env, n: u32) {
        if n == 0 {
            return;
        }
        let before = self.holds.fetch_sub(n, Ordering::Relaxed);
        if before <= n {
            self.holds.store(0, Ordering::Relaxed);
            if let Some(w) = self.wake.get() {
                keep_alive(env, w, false);
            }
        }
    }

    fn next_id(&self) -> u32 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// References (`on`) or unreferences the threadsafe function: whether it keeps
/// Node's event loop alive. napi-rs offers this only through `&mut` methods,
/// which would put a lock on every `call` from the runtime threads.
fn keep_alive(env: &Env, w: &Wake, on: bool) {
    let raw = w.raw();
    // SAFETY: `env` is the live environment of the JS thread this runs on (both
    // callers are reached only from JS calls or threadsafe-function callbacks),
    // and `raw` is a threadsafe function of that environment that stays valid
    // while `w` is borrowed: it is released only when the last handle drops.
    // Node's functions only flip the ref flag of the function's uv handle.
    unsafe {
        if on {
            napi::sys::napi_ref_threadsafe_function(env.raw(), raw);
        } else {
            napi::sys::napi_unref_threadsafe_function(env.raw(), raw);
        }
    }
}

/// Runs on the JS thread for each queued call: takes the oldest segment.
fn take_segment(shared: &Weak<Shared>, ctx: ThreadsafeCallContext<()>) -> Result<Delivery> {
    let Some(s) = shared.upgrade() else {
        return Ok(Delivery(Vec::new()));
    };
    let segment = s
        .segments
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop_front()
        .unwrap_or_default();
    let ended = segment.messages.iter().filter(|m| m.releases()).count() as u32;
    s.release(&ctx.env, ended);
    Ok(Delivery(segment.messages))
}

/// The channel's handle in Rust: cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct Channel {
    shared: Arc<Shared>,
}

impl Channel {
    /// Starts `work` on the runtime and returns the request id JS waits on.
    /// Call on the JS thread (it takes a hold).
    pub fn request<T, F>(&self, env: &Env, work: F) -> u32
    where
        T: ToNapiValue + Send + 'static,
        F: Future<Output = engine::Result<T>> + Send + 'static,
    {
        let id = self.shared.next_id();
        self.shared.hold(env);
        let answer = Pending {
            shared: self.shared.clone(),
            id,
            done: false,
        };
        napi::bindgen_prelude::spawn(async move {
            let r = work.await;
            answer.settle(r);
        });
        id
    }

    /// A new sink (a worker's or a QueueEvents' stream of batches). It holds
    /// Node alive until dropped. Call on the JS thread.
    pub fn sink(&self, env: &Env) -> Sink {
        let id = self.shared.next_id();
        self.shared.hold(env);
        Sink {
            shared: self.shared.clone(),
            id,
        }
    }
}

/// A request's answer to be sent. Dropped unsent (its task panicked or the
/// runtime stopped), it rejects the request so JS never waits forever and the
/// hold is given back.
struct Pending {
    shared: Arc<Shared>,
    id: u32,
    done: bool,
}

impl Pending {
    fn settle<T: ToNapiValue + Send + 'static>(mut self, r: engine::Result<T>) {
        self.done = true;
        let m = match r {
            Ok(v) => Message::Resolved {
                id: self.id,
                value: Box::new(v),
            },
            Err(e) => Message::Rejected {
                id: self.id,
                code: e.code().as_str(),
                message: e.to_string(),
            },
        };
        self.shared.send(m);
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done {
            let e = engine::Error::Closed("the request's task");
            self.shared.send(Message::Rejected {
                id: self.id,
                code: e.code().as_str(),
                message: e.to_string(),
            });
        }
    }
}

/// Where a worker or QueueEvents sends its batches. Dropping it tells JS the
/// sink is finished and gives back its hold.
pub struct Sink {
    shared: Arc<Shared>,
    id: u32,
}

impl Sink {
    /// The id JS registers its handler under.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Sends one batch (JSON text), after everything sent before it.
    pub fn push(&self, payload: String) {
        self.shared.send(Message::Push {
            sink: self.id,
            payload,
        });
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.shared.send(Message::SinkDone { sink: self.id });
    }
}

/// The channel, as JS creates it (once, in `src/js/channel.js`). Native
/// objects that answer requests or push batches are given it at construction.
#[napi]
pub struct NativeChannel {
    pub(crate) channel: Channel,
}

#[napi]
impl NativeChannel {
    /// `deliver(entries)` receives each delivery as a flat array of
    /// `[id, kind, value]` triples (see `src/binding/channel.rs`).
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "deliver: (entries: Array<unknown>) => void"
    )]
    pub fn new(deliver: Function<'_, (), ()>) -> Result<Self> {
        let shared = Arc::new(Shared {
            wake: OnceLock::new(),
            holds: AtomicU32::new(0),
            next_id: AtomicU32::new(1),
            segments: Mutex::new(VecDeque::new()),
        });
        let weak = Arc::downgrade(&shared);
        let wake: Wake = deliver
            .build_threadsafe_function::<()>()
            .callee_handled::<false>()
            .weak::<true>()
            .build_callback(move |ctx| take_segment(&weak, ctx))?;
        let _ = shared.wake.set(wake);
        Ok(NativeChannel {
            channel: Channel { shared },
        })
    }

    /// Requests waiting for their answer plus live sinks (for tests and leak checks).
    #[napi(getter, catch_unwind)]
    pub fn holds(&self) -> u32 {
        self.channel.shared.holds.load(Ordering::Relaxed)
    }
}
