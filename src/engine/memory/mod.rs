//! ferroq's embedded store (`memory://`): an in-process stand-in for Redis that
//! runs the engine's own Lua transitions, so Queue, Worker and QueueEvents
//! behave on it as they do on Redis, by construction rather than by a second
//! implementation.
//!
//! - [`Store`]: one keyspace ([`db`]), one Lua 5.1 state ([`lua`], the version
//!   Redis embeds) and a client table, behind one lock, so every command and
//!   every script is atomic, as on a single Redis server.
//! - [`open`]: `memory://NAME` names a process-wide store: the same name is the
//!   same store; it lives while any connection to it does.
//! - [`Connection`]: what the engine's `Conn` wraps. It takes redis-rs commands
//!   and pipelines, answers with redis-rs values, and waits for blocking
//!   commands ([`blocking`]) without holding the lock.
//!
//! Not durable: the data lives in this process's memory and is gone when the
//! process exits.
//!
//! The data types and their commands: [`strings`], [`hashes`], [`lists`],
//! [`sets`], [`zset`] + [`sorted_sets`], [`stream`] + [`xread`], [`keyspace`]
//! (DEL, expiry, KEYS, ...) and [`scans`] (SCAN, HSCAN, SSCAN, ZSCAN);
//! [`commands`] is the table, [`server`] the server-level commands.

pub mod blocking;
pub mod cjson;
pub mod commands;
pub mod db;
pub mod hashes;
pub mod keyspace;
pub mod lists;
pub mod lua;
pub mod reply;
pub mod scans;
pub mod server;
pub mod sets;
pub mod sorted_sets;
pub mod stream;
pub mod strings;
pub mod url;
pub mod xread;
pub mod zset;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};

use redis::{Arg, Cmd, Pipeline, RedisFuture};
use tokio::sync::Notify;

use blocking::BlockingCall;
use reply::{Args, Reply};
use server::{Server, wall_ms};

/// One in-process store: what one Redis server would be.
pub struct Store {
    name: String,
    server: Mutex<Server>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("name", &self.name).finish()
    }
}

static STORES: LazyLock<Mutex<HashMap<String, Weak<Store>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The store named `name` (`""` for plain `memory://`), created on first use.
/// Every caller with the same name gets the same store while any handle lives.
pub fn open(name: &str) -> Result<Arc<Store>, String> {
    let mut stores = STORES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(store) = stores.get(name).and_then(Weak::upgrade) {
        return Ok(store);
    }
    // Forget stores nobody uses any more while we are here.
    stores.retain(|_, w| w.strong_count() > 0);
    let store = Arc::new(Store {
        name: name.to_string(),
        server: Mutex::new(Server::new()?),
    });
    stores.insert(name.to_string(), Arc::downgrade(&store));
    Ok(store)
}

impl Store {
    /// The store's name (empty for plain `memory://`).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn lock(&self) -> MutexGuard<'_, Server> {
        // A panic while holding the lock cannot leave a half-applied command
        // visible in a way Redis would not (commands apply in place, in order),
        // so a poisoned lock is still usable.
        self.server.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection (its own client id and name, as a Redis connection).
    pub fn connect(self: &Arc<Self>) -> Connection {
        let id = self.lock().connect();
        Connection {
            client: Arc::new(ClientHandle {
                store: self.clone(),
                id,
            }),
        }
    }
}

impl Store {
    /// A new connection named `name` (CLIENT SETNAME), as the engine names its
    /// worker and events connections so `getWorkers()` finds them.
    /// Fails as Redis does for a name with spaces or newlines.
    pub fn connect_named(self: &Arc<Self>, name: &str) -> Result<Connection, String> {
        let con = self.connect();
        let argv = vec![b"CLIENT".to_vec(), b"SETNAME".to_vec(), name.into()];
        match self.lock().execute(con.client.id, argv) {
            Reply::Error(e) => Err(e),
            _ => Ok(con),
        }
    }
}

struct ClientHandle {
    store: Arc<Store>,
    id: u64,
}

impl Drop for ClientHandle {
    fn drop(&mut self) {
        self.store.lock().disconnect(self.id);
    }
}

/// A connection to a store. Clones share the client (like a multiplexed
/// Redis connection); the client leaves `CLIENT LIST` when the last clone drops.
#[derive(Clone)]
pub struct Connection {
    client: Arc<ClientHandle>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("store", &self.client.store.name)
            .field("client", &self.client.id)
            .finish()
    }
}

/// A redis-rs command's words (name first).
fn words(cmd: &Cmd) -> Vec<Vec<u8>> {
    cmd.args_iter()
        .map(|a| match a {
            Arg::Simple(b) => b.to_vec(),
            // Only SCAN iterators send a cursor placeholder; start at 0.
            _ => b"0".to_vec(),
        })
        .collect()
}

/// Unregisters a blocked reader however its wait ends (reply, timeout, or the
/// caller dropping the future).
struct Waiting<'a> {
    store: &'a Store,
    keys: Vec<Vec<u8>>,
    notify: Arc<Notify>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut s = self.store.lock();
        for k in &self.keys {
            s.db.stop_waiting(k, &self.notify);
        }
    }
}

impl Connection {
    /// The store this connection talks to.
    pub fn store(&self) -> &Arc<Store> {
        &self.client.store
    }

    /// Runs one command (name first). Blocking commands wait here, without
    /// holding the store, until data arrives or their timeout passes.
    pub async fn command(&self, argv: Vec<Vec<u8>>) -> Reply {
        let name = argv
            .first()
            .map(|n| String::from_utf8_lossy(n).to_ascii_uppercase())
            .unwrap_or_default();
        if matches!(
            name.as_str(),
            "BZPOPMIN" | "BZPOPMAX" | "BLPOP" | "BRPOP" | "BRPOPLPUSH" | "BLMOVE" | "XREAD"
        ) {
            let mut args = Args::new(&name, argv[1..].to_vec());
            match BlockingCall::parse(&name, &mut args) {
                Ok(Some(call)) if call.blocks => return self.block(call).await,
                Err(e) => return e.into(),
                _ => {}
            }
        }
        self.client.store.lock().execute(self.client.id, argv)
    }

    async fn block(&self, mut call: BlockingCall) -> Reply {
        let store = &*self.client.store;
        let deadline = call.timeout.map(|t| tokio::time::Instant::now() + t);
        let waiting = Waiting {
            store,
            keys: call.keys(),
            notify: Arc::new(Notify::new()),
        };
        let mut first = true;
        loop {
            {
                let mut s = store.lock();
                s.db.set_clock(wall_ms());
                let tried = if first {
                    first = false;
                    call.start(&mut s.db).and_then(|_| call.attempt(&mut s.db))
                } else {
                    call.attempt(&mut s.db)
                };
                match tried {
                    Ok(Some(reply)) => return reply,
                    Err(e) => return e.into(),
                    Ok(None) => {}
                }
                // Register (again: a wake-up removes the registration) while
                // still holding the lock, so no write can slip in between.
                for k in &waiting.keys {
                    s.db.stop_waiting(k, &waiting.notify);
                    s.db.wait_on(k, &waiting.notify);
                }
            }
            let woken = waiting.notify.notified();
            match deadline {
                Some(at) => {
                    if tokio::time::timeout_at(at, woken).await.is_err() {
                        return BlockingCall::timed_out();
                    }
                }
                None => woken.await,
            }
        }
    }

    /// Runs a pipeline under one hold of the store (so it is atomic, which
    /// also covers MULTI/EXEC pipelines); blocking commands make one attempt.
    pub fn pipeline(&self, cmds: Vec<Vec<Vec<u8>>>) -> Vec<Reply> {
        let mut s = self.client.store.lock();
        cmds.into_iter()
            .map(|argv| s.execute(self.client.id, argv))
            .collect()
    }

    /// redis-rs entry point for one command.
    pub fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, redis::Value> {
        Box::pin(async move { Ok(self.command(words(cmd)).await.into()) })
    }

    /// redis-rs entry point for a pipeline (plain or MULTI/EXEC).
    pub fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<redis::Value>> {
        Box::pin(async move {
            let replies = self.pipeline(pipeline.cmd_iter().map(words).collect());
            let values: Vec<redis::Value> = replies.into_iter().map(Into::into).collect();
            if pipeline.is_transaction() {
                // redis-rs reads one value, EXEC's array, at offset len+1.
                return Ok(vec![redis::Value::Array(values)]);
            }
            Ok(values.into_iter().skip(offset).take(count).collect())
        })
    }
}
