//! One store's state behind its lock: the keyspace, the Lua scripts and the
//! connected clients, plus the commands that need more than the keyspace
//! (EVAL/EVALSHA, SCRIPT, CLIENT, INFO, SELECT, CONFIG GET).

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use super::commands;
use super::db::Db;
use super::lua::Scripting;
use super::reply::{Args, CmdError, CmdResult, Reply, parse_int};

/// The Redis version whose replies the store follows (the one its tests compare with).
pub const REDIS_VERSION: &str = "7.0.15";

struct Client {
    name: String,
    since: Instant,
    last_seen: Instant,
    last_command: String,
}

/// Everything one store holds.
pub struct Server {
    /// The keyspace.
    pub db: Db,
    scripting: Scripting,
    clients: BTreeMap<u64, Client>,
    next_client: u64,
    started: Instant,
    commands_run: u64,
}

/// Milliseconds since the Unix epoch.
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Server {
    /// An empty store.
    pub fn new() -> Result<Server, String> {
        Ok(Server {
            db: Db::default(),
            scripting: Scripting::new()?,
            clients: BTreeMap::new(),
            next_client: 1,
            started: Instant::now(),
            commands_run: 0,
        })
    }

    /// Registers a connection; returns its client id.
    pub fn connect(&mut self) -> u64 {
        let id = self.next_client;
        self.next_client += 1;
        let now = Instant::now();
        self.clients.insert(
            id,
            Client {
                name: String::new(),
                since: now,
                last_seen: now,
                last_command: "NULL".into(),
            },
        );
        id
    }

    /// Forgets a connection (its last handle was dropped).
    pub fn disconnect(&mut self, client: u64) {
        self.clients.remove(&client);
    }

    /// Runs one non-blocking command for `client` (blocking ones make one
    /// attempt). Sets the clock first, which also drops expired keys.
    pub fn execute(&mut self, client: u64, argv: Vec<Vec<u8>>) -> Reply {
        self.db.set_clock(wall_ms());
        self.commands_run += 1;
        let Some(first) = argv.first() else {
            return Reply::Error("ERR empty command".into());
        };
        let name = String::from_utf8_lossy(first).to_ascii_uppercase();
        if let Some(c) = self.clients.get_mut(&client) {
            c.last_seen = Instant::now();
            c.last_command = name.to_ascii_lowercase();
        }
        let mut args = Args::new(&name, argv[1..].to_vec());
        let result = match name.as_str() {
            "EVALSHA" | "EVALSHA_RO" => self.eval(&mut args, false),
            "EVAL" | "EVAL_RO" => self.eval(&mut args, true),
            "SCRIPT" => self.script(&mut args),
            "CLIENT" => self.client(client, &mut args),
            "INFO" => Ok(self.info()),
            "SELECT" => select(&mut args),
            "CONFIG" => config(&mut args),
            "MULTI" | "EXEC" | "WATCH" | "SUBSCRIBE" | "PSUBSCRIBE" => Err(CmdError::err(format!(
                "{name} is not supported by the ferroq memory store"
            ))),
            _ => return commands::execute(&mut self.db, argv),
        };
        result.unwrap_or_else(Reply::from)
    }

    fn eval(&mut self, a: &mut Args, by_body: bool) -> CmdResult {
        let script = a.bytes()?;
        let nkeys = a.int()?;
        if nkeys < 0 || nkeys as usize > a.remaining() {
            return Err(CmdError::err(
                "Number of keys can't be greater than number of args",
            ));
        }
        let mut argv = a.rest();
        let keys: Vec<Vec<u8>> = argv.drain(..nkeys as usize).collect();
        let sha = if by_body {
            self.scripting.load(&script).map_err(CmdError)?
        } else {
            String::from_utf8_lossy(&script).into_owned()
        };
        Ok(self
            .scripting
            .run(&mut self.db, commands::execute, &sha, keys, argv))
    }

    fn script(&mut self, a: &mut Args) -> CmdResult {
        let sub = a.peek_word().unwrap_or_default();
        a.bytes()?;
        match sub.as_str() {
            "LOAD" => {
                let body = a.bytes()?;
                a.done()?;
                Ok(Reply::text(self.scripting.load(&body).map_err(CmdError)?))
            }
            "EXISTS" => {
                a.need(1)?;
                let shas = a.rest();
                Ok(Reply::Array(
                    shas.iter()
                        .map(|s| {
                            Reply::Int(self.scripting.exists(&String::from_utf8_lossy(s)) as i64)
                        })
                        .collect(),
                ))
            }
            "FLUSH" => {
                let _ = a.eat("ASYNC") || a.eat("SYNC");
                a.done()?;
                self.scripting.flush();
                Ok(Reply::ok())
            }
            _ => Err(CmdError::err(format!("unknown subcommand 'SCRIPT {sub}'"))),
        }
    }

    fn client(&mut self, me: u64, a: &mut Args) -> CmdResult {
        let sub = a.peek_word().unwrap_or_default();
        a.bytes()?;
        match sub.as_str() {
            "SETNAME" => {
                let name = String::from_utf8_lossy(&a.bytes()?).into_owned();
                a.done()?;
                if name.contains([' ', '\n', '\r']) {
                    return Err(CmdError::err(
                        "Client names cannot contain spaces, newlines or special characters.",
                    ));
                }
                if let Some(c) = self.clients.get_mut(&me) {
                    c.name = name;
                }
                Ok(Reply::ok())
            }
            "GETNAME" => Ok(self
                .clients
                .get(&me)
                .filter(|c| !c.name.is_empty())
                .map_or(Reply::Nil, |c| Reply::text(c.name.clone()))),
            "ID" => Ok(Reply::Int(me as i64)),
            "LIST" => Ok(Reply::text(self.client_list())),
            // Library name/version announcements: accepted, nothing to record.
            "SETINFO" => Ok(Reply::ok()),
            _ => Err(CmdError::err(format!("unknown subcommand 'CLIENT {sub}'"))),
        }
    }

    /// `CLIENT LIST` in Redis's `key=value` line format.
    fn client_list(&self) -> String {
        let now = Instant::now();
        let mut out = String::new();
        for (id, c) in &self.clients {
            out.push_str(&format!(
                "id={id} addr=memory:{id} laddr=memory:0 fd=-1 name={} age={} idle={} flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd={} user=default redir=-1 resp=2 lib-name=ferroq lib-ver={}\n",
                c.name,
                now.duration_since(c.since).as_secs(),
                now.duration_since(c.last_seen).as_secs(),
                c.last_command,
                env!("CARGO_PKG_VERSION"),
            ));
        }
        out
    }

    fn info(&mut self) -> Reply {
        let keys = self.db.len();
        let text = format!(
            "# Server\r\nredis_version:{REDIS_VERSION}\r\nredis_mode:standalone\r\nferroq_store:memory\r\nuptime_in_seconds:{}\r\n\r\n# Clients\r\nconnected_clients:{}\r\n\r\n# Memory\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\n\r\n# Stats\r\ntotal_commands_processed:{}\r\n\r\n# Keyspace\r\n{}",
            self.started.elapsed().as_secs(),
            self.clients.len(),
            self.commands_run,
            if keys > 0 {
                format!("db0:keys={keys},expires=0,avg_ttl=0\r\n")
            } else {
                String::new()
            },
        );
        Reply::text(text)
    }
}

fn select(a: &mut Args) -> CmdResult {
    let db = parse_int(&a.bytes()?)?;
    a.done()?;
    if db == 0 {
        Ok(Reply::ok())
    } else {
        Err(CmdError::err(
            "the ferroq memory store has one database (0); name another store instead (memory://NAME)",
        ))
    }
}

/// `CONFIG GET name`: the few settings clients ask about.
fn config(a: &mut Args) -> CmdResult {
    if !a.eat("GET") {
        return Err(CmdError::err(
            "only CONFIG GET is supported by the ferroq memory store",
        ));
    }
    let pattern = a.bytes()?;
    a.done()?;
    let known: [(&str, &str); 2] = [("maxmemory-policy", "noeviction"), ("maxmemory", "0")];
    let mut out = Vec::new();
    for (k, v) in known {
        if super::keyspace::glob_match(&pattern, k.as_bytes()) {
            out.push(Reply::text(k));
            out.push(Reply::text(v));
        }
    }
    Ok(Reply::Array(out))
}
