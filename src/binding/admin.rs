//! `NativeAdmin`: the admin endpoints preset (`presets::admin`) for JS.
//! `src/js/admin.js` authorizes the request and reads its body; this class
//! routes it and answers with a status and JSON text.

use std::sync::Arc;

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use super::channel::{Channel, NativeChannel};
use super::error::{Code, coded};
use super::options;
use super::queue::NativeQueue;
use crate::presets::admin::{AdminApi, AdminOptions};

/// One admin answer: the HTTP status, the JSON body text and, for a 405, the
/// `Allow` header.
#[napi(object)]
pub struct AdminReply {
    /// The HTTP status.
    pub status: u32,
    /// The JSON body, as text.
    pub body: String,
    /// The `Allow` header value of a 405.
    pub allow: Option<String>,
}

/// The admin endpoints over a set of queues. Wrapped by `createAdminHandler`.
#[napi]
pub struct NativeAdmin {
    api: Arc<AdminApi>,
    channel: Channel,
}

#[napi]
impl NativeAdmin {
    /// Serves `queues` (the handles themselves: their connections are shared).
    /// `optsJson`: `{ basePath?, healthThresholds?: { failed?, waiting? } }`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        queues: Vec<ClassInstance<NativeQueue>>,
        opts_json: String,
        channel: &NativeChannel,
    ) -> Result<Self, Code> {
        let o = options::parse(&opts_json, "options").map_err(|e| coded(&e))?;
        let opts = AdminOptions::from_json(&o.into()).map_err(|e| coded(&e))?;
        let queues = queues.iter().map(|q| q.inner.clone()).collect();
        let api = AdminApi::new(queues, opts).map_err(|e| coded(&e))?;
        Ok(NativeAdmin {
            api: Arc::new(api),
            channel: channel.channel.clone(),
        })
    }

    /// Answers one request: `url` is the path and query as the server saw it,
    /// `body` the raw body text. Resolves with a reply for every request,
    /// errors included. A request: resolves with an `AdminReply`.
    #[napi(catch_unwind)]
    pub fn handle(&self, env: &Env, method: String, url: String, body: Option<String>) -> u32 {
        let api = self.api.clone();
        self.channel.request(env, async move {
            let r = api.handle(&method, &url, body.as_deref()).await;
            Ok(AdminReply {
                status: u32::from(r.status),
                body: r.body.to_string(),
                allow: r.allow.map(str::to_string),
            })
        })
    }
}
