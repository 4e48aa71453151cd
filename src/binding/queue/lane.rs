//! The add lane for JS (`src/js/lane.js`): adds travel on a socket the JS
//! thread owns, so an awaited `add()` costs no hand-off to the tokio thread
//! and back. Everything here is sync and does no I/O: Rust says where to
//! connect and what to send first (`laneConfig`), validates and encodes each
//! batch exactly as the engine's add path does (`laneEncode`), and decodes
//! the socket's bytes into per-batch answers (`laneFeed`). See
//! `engine::queue::lane` for what qualifies and what each reply means.

use std::sync::Mutex;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use super::NativeQueue;
use super::add::{AddFailure, AddedJobs, new_job};
use crate::binding::error::{Code, coded};
use crate::engine::queue::{LaneAnswer, LaneReader, lane_answer, now_ms};

/// The reply reader of a queue handle's current lane, if JS opened one (JS
/// keeps the batches sent).
#[derive(Default)]
pub(crate) struct LaneSlot(Mutex<Option<LaneReader>>);

impl LaneSlot {
    fn with<T>(&self, f: impl FnOnce(&mut Option<LaneReader>) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Where a lane connects and its first bytes.
#[napi(object)]
pub struct LaneConfig {
    /// TCP host, unless `path` is set.
    pub host: Option<String>,
    /// TCP port.
    pub port: u32,
    /// Unix socket path.
    pub path: Option<String>,
    /// AUTH / SELECT / SCRIPT LOAD, to write first.
    pub handshake: Buffer,
    /// Silence (ms) while a reply is awaited after which the socket is broken.
    pub timeout_ms: u32,
}

/// How JS builds a lone add with given options itself, with no call in here
/// per add: `head ‖ bulk(name) ‖ bulk(data) ‖ mid ‖ bulk(timestamp) ‖ tail`
/// (see `engine::queue::LaneTemplate`).
#[napi(object)]
pub struct LaneTemplate {
    pub head: String,
    pub mid: String,
    pub tail: String,
    /// The most data in bytes (0: no limit); more goes through `laneEncode`.
    pub max_data_bytes: f64,
}

/// One batch of adds for the lane.
#[napi(object)]
pub struct LaneBatch {
    /// The command to write (one EVALSHA, as text: cheaper for JS to write
    /// than a native buffer), unless every job failed its checks.
    pub packed: Option<String>,
    /// The jobs refused before sending, each with its own error.
    pub failed: Vec<AddFailure>,
}

/// The answer to one batch, in the order batches were sent.
#[napi(object)]
pub struct LaneReply {
    /// The ids of the batch's sent jobs, in order (success).
    pub ids: Option<Vec<String>>,
    /// The stable error code every job of the batch fails with.
    pub code: Option<String>,
    /// That error's message.
    pub message: Option<String>,
    /// 0: settled by `ids` or `code`; 1: send the batch again the engine's
    /// way; 2: the same, and drop the lane (its server became a replica).
    pub resend: u32,
}

#[napi]
impl NativeQueue {
    /// Starts a new lane (forgetting any previous one): where to connect and
    /// what to write first, or null when adds must keep the engine's path
    /// (cluster, `memory://`, TLS, closed queue).
    #[napi(catch_unwind)]
    pub fn lane_config(&self) -> Option<LaneConfig> {
        let plan = self.inner.lane_plan();
        self.lane.with(|s| *s = plan.as_ref().map(LaneReader::new));
        let plan = plan?;
        Some(LaneConfig {
            host: plan.host,
            port: plan.port as u32,
            path: plan.path,
            handshake: plan.handshake.into(),
            timeout_ms: plan.timeout_ms.min(u32::MAX as u64) as u32,
        })
    }

    /// The template of a lone add with options JSON `opts`, or null when its
    /// adds must go through `laneEncode` (per-job options, invalid ones).
    #[napi(catch_unwind)]
    pub fn lane_template(&self, opts: String) -> Option<LaneTemplate> {
        let t = self.inner.lane_template(&opts)?;
        Some(LaneTemplate {
            head: t.head,
            mid: t.mid,
            tail: t.tail,
            max_data_bytes: t.max_data_bytes as f64,
        })
    }

    /// Whether the current lane's handshake is fully answered (batches may go).
    #[napi(catch_unwind)]
    pub fn lane_ready(&self) -> bool {
        self.lane
            .with(|s| s.as_ref().is_some_and(LaneReader::ready))
    }

    /// Whether the current lane's reader holds part of a reply (its next bytes
    /// must come here, not to JS's own reading of a lone add's reply).
    #[napi(catch_unwind)]
    pub fn lane_partial(&self) -> bool {
        self.lane
            .with(|s| s.as_ref().is_some_and(LaneReader::has_partial))
    }

    /// Ends the current lane (its socket is gone).
    #[napi(catch_unwind)]
    pub fn lane_drop(&self) {
        self.lane.with(|s| *s = None);
    }

    /// Checks the adds JS gathered in one tick (parallel lists, as `addMany`)
    /// and encodes those that pass as one script call for the lane. Null when
    /// the lane does not apply to this batch (no lane, flow children, too
    /// many jobs): the caller then uses `addMany`.
    #[napi(catch_unwind)]
    pub fn lane_encode(
        &self,
        names: Vec<String>,
        datas: Vec<String>,
        opts_jsons: Vec<String>,
        timestamps: Vec<f64>,
    ) -> Option<LaneBatch> {
        let n = names.len();
        if datas.len() != n || opts_jsons.len() != n || !self.lane.with(|s| s.is_some()) {
            return None;
        }
        let mut out = AddedJobs {
            ids: Vec::new(),
            failed: Vec::new(),
        };
        let mut jobs = Vec::with_capacity(n);
        let rows = names.into_iter().zip(datas).zip(opts_jsons);
        for (i, ((name, data), opts)) in rows.enumerate() {
            let job = new_job(name, data, &opts, timestamps.get(i).copied())
                .and_then(|j| self.inner.check_new_job(&j, "data".into()).map(|_| j));
            match job {
                Ok(j) => jobs.push(j),
                Err(e) => out.fail(i, &e),
            }
        }
        if jobs.is_empty() {
            return Some(LaneBatch {
                packed: None,
                failed: out.failed,
            });
        }
        // Every part is text (names, JSON, keys, numbers), so the command is UTF-8.
        let packed = String::from_utf8(self.inner.lane_encode(&jobs, now_ms())?).ok()?;
        Some(LaneBatch {
            packed: Some(packed),
            failed: out.failed,
        })
    }

    /// Reads `chunk` from the lane's socket; answers every batch whose reply
    /// it completes, in order: `counts` are the job counts of the batches
    /// waiting, oldest first. Throws (coded) when the lane is unusable: a
    /// refused handshake, a malformed stream, a reply nobody waits for.
    #[napi(catch_unwind)]
    pub fn lane_feed(&self, chunk: Buffer, counts: Vec<u32>) -> napi::Result<Vec<LaneReply>, Code> {
        self.lane.with(|slot| {
            let Some(reader) = slot.as_mut() else {
                return Ok(Vec::new());
            };
            let replies = reader.feed(&chunk).map_err(|e| coded(&e))?;
            let mut out = Vec::with_capacity(replies.len());
            for (i, v) in replies.into_iter().enumerate() {
                let Some(n) = counts.get(i).map(|&n| n as usize) else {
                    return Err(coded(&crate::engine::Error::CorruptData {
                        what: "the add lane".into(),
                        reason: "a reply no add waits for".into(),
                    }));
                };
                out.push(match lane_answer(v, n) {
                    LaneAnswer::Added(ids) => LaneReply {
                        ids: Some(ids),
                        code: None,
                        message: None,
                        resend: 0,
                    },
                    LaneAnswer::Failed(e) => LaneReply {
                        ids: None,
                        code: Some(e.code().as_str().to_string()),
                        message: Some(e.to_string()),
                        resend: 0,
                    },
                    LaneAnswer::Resend { drop_lane } => LaneReply {
                        ids: None,
                        code: None,
                        message: None,
                        resend: if drop_lane { 2 } else { 1 },
                    },
                });
            }
            Ok(out)
        })
    }
}
