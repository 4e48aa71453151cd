//! The Lua bridge: one Lua 5.1 state per store (the version Redis embeds),
//! scripts cached by SHA-1 as SCRIPT LOAD/EVALSHA do, `redis.call`/`pcall`
//! running commands on the store, and the reply conversions both ways exactly
//! as Redis defines them (nil bulk -> false, status -> {ok=}, error -> {err=};
//! back: number -> integer, true -> 1, false -> nil, {err=}/{ok=} -> error/status).

use std::collections::HashMap;

use mlua::{Function, Lua, LuaOptions, StdLib, Table, Value as LuaValue};

use super::db::Db;
use super::reply::{Reply, fmt_score};

/// Runs one command from inside a script (no blocking, no scripting commands).
pub type ScriptCommand = fn(&mut Db, Vec<Vec<u8>>) -> Reply;

/// Replies nest at most this deep (a self-referencing table must not recurse forever).
const MAX_DEPTH: usize = 64;

// After setup, reading or creating an unknown global is an error, as in Redis,
// so a misspelt local fails loudly instead of reading nil.
const PROTECT_GLOBALS: &str = r#"
setmetatable(_G, {
  __index = function(_, k)
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end,
  __newindex = function(_, k)
    error("Script attempted to create global variable '" .. tostring(k) .. "'", 2)
  end,
})
"#;

/// The scripting half of a store.
pub struct Scripting {
    lua: Lua,
    scripts: HashMap<String, Function>,
    set_exec: Function,
}

/// SHA-1 of a script body, lower-case hex (the name EVALSHA uses).
pub fn sha1_hex(body: &[u8]) -> String {
    sha1_smol::Sha1::from(body).digest().to_string()
}

fn setup_error(e: mlua::Error) -> String {
    format!("ERR the memory store's Lua state failed to start: {e}")
}

impl Scripting {
    /// A fresh Lua state with Redis's libraries: base, table, string, math,
    /// `cjson`, `redis`. No io/os/package/debug.
    pub fn new() -> Result<Scripting, String> {
        let lua = Lua::new_with(
            StdLib::TABLE | StdLib::STRING | StdLib::MATH,
            LuaOptions::default(),
        )
        .map_err(setup_error)?;
        let g = lua.globals();
        let init = || -> mlua::Result<Function> {
            for name in ["dofile", "loadfile", "print"] {
                g.raw_set(name, LuaValue::Nil)?;
            }
            let (redis, set_exec): (Table, Function) = lua
                .load(include_str!("prelude.lua"))
                .set_name("=ferroq_prelude")
                .call(())?;
            redis.set(
                "sha1hex",
                lua.create_function(|_, s: mlua::LuaString| Ok(sha1_hex(&s.as_bytes())))?,
            )?;
            g.raw_set("redis", redis)?;
            g.raw_set("cjson", super::cjson::library(&lua)?)?;
            lua.load(PROTECT_GLOBALS)
                .set_name("=ferroq_globals")
                .exec()?;
            Ok(set_exec)
        };
        let set_exec = init().map_err(setup_error)?;
        Ok(Scripting {
            lua,
            scripts: HashMap::new(),
            set_exec,
        })
    }

    /// Compiles and caches a script; returns its SHA-1 (SCRIPT LOAD).
    pub fn load(&mut self, body: &[u8]) -> Result<String, String> {
        let sha = sha1_hex(body);
        if !self.scripts.contains_key(&sha) {
            // Redis 7 reads a first line `#!lua flags=...` as script flags; the
            // store has no maxmemory or replicas for them to matter, so it
            // skips the line (blank, so error line numbers stay the same).
            let code = match body.strip_prefix(b"#!lua") {
                Some(rest) => &rest[rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len())..],
                None => body,
            };
            let f = self
                .lua
                .load(code)
                .set_name("=user_script")
                .into_function()
                .map_err(|e| {
                    format!(
                        "ERR Error compiling script (new function): {}",
                        first_line(&e.to_string())
                    )
                })?;
            self.scripts.insert(sha.clone(), f);
        }
        Ok(sha)
    }

    /// Whether a script with this SHA-1 is cached.
    pub fn exists(&self, sha: &str) -> bool {
        self.scripts.contains_key(&sha.to_ascii_lowercase())
    }

    /// Forgets every cached script (SCRIPT FLUSH).
    pub fn flush(&mut self) {
        self.scripts.clear();
    }

    /// Runs a cached script with KEYS and ARGV; its commands run on `db` through
    /// `command`. The caller holds the store, so the script is atomic.
    pub fn run(
        &self,
        db: &mut Db,
        command: ScriptCommand,
        sha: &str,
        keys: Vec<Vec<u8>>,
        argv: Vec<Vec<u8>>,
    ) -> Reply {
        let sha = sha.to_ascii_lowercase();
        let Some(f) = self.scripts.get(&sha) else {
            return Reply::Error("NOSCRIPT No matching script. Please use EVAL.".into());
        };
        // The last error reply a command gave, so a script that dies of it
        // reports it with its own code rather than as a Lua runtime error.
        let mut last_error: Option<String> = None;
        let result = self.lua.scope(|scope| {
            let exec = scope.create_function_mut(|lua, (n, args): (usize, Table)| {
                let reply = match command_args(n, &args) {
                    Ok(args) => command(db, args),
                    Err(msg) => Reply::Error(msg),
                };
                let failed = match &reply {
                    Reply::Error(e) => {
                        last_error = Some(e.clone());
                        true
                    }
                    _ => false,
                };
                Ok((to_lua(lua, reply)?, failed))
            })?;
            self.set_exec.call::<()>(exec)?;
            let g = self.lua.globals();
            g.raw_set("KEYS", string_table(&self.lua, keys)?)?;
            g.raw_set("ARGV", string_table(&self.lua, argv)?)?;
            let out: LuaValue = f.call(())?;
            Ok(from_lua(out, 0))
        });
        match result {
            Ok(reply) => reply,
            Err(e) => Reply::Error(script_error(&e, last_error.as_deref(), &sha)),
        }
    }
}

/// KEYS or ARGV as a Lua table, any length. Each string goes into the table as
/// soon as it is made: a live `LuaString` holds a slot on mlua's reference
/// stack, which Lua 5.1 caps near 8000, so collecting them first failed
/// with "out of Lua stack" for a few thousand arguments (Redis has no such
/// limit on ARGV).
fn string_table(lua: &Lua, items: Vec<Vec<u8>>) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(items.len(), 0)?;
    for (i, b) in items.into_iter().enumerate() {
        t.raw_set(i + 1, lua.create_string(b)?)?;
    }
    Ok(t)
}

fn first_line(s: &str) -> &str {
    s.split("\nstack traceback").next().unwrap_or(s).trim_end()
}

/// The error line for a failed script: an error reply raised by `redis.call`
/// keeps its code; a Lua runtime error gets `ERR`, as Redis reports both.
fn script_error(e: &mlua::Error, raised: Option<&str>, sha: &str) -> String {
    let text = match e {
        mlua::Error::CallbackError { cause, .. } => cause.to_string(),
        other => other.to_string(),
    };
    let msg = first_line(text.strip_prefix("runtime error: ").unwrap_or(&text));
    if raised == Some(msg) {
        format!("{msg} script: {sha}")
    } else {
        format!("ERR {msg} script: {sha}")
    }
}

/// An error table returned by a script: a message without a code gets `ERR`.
fn error_line(msg: String) -> String {
    if msg.contains(' ') {
        msg
    } else {
        format!("ERR {msg}")
    }
}

/// `redis.call`'s arguments: strings and numbers only; numbers are written with
/// `%.17g` as Redis 7.0 does (not Lua's own `%.14g`).
fn command_args(n: usize, args: &Table) -> Result<Vec<Vec<u8>>, String> {
    if n == 0 {
        return Err("ERR Please specify at least one argument for this redis lib call".into());
    }
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let bytes = match args.raw_get::<LuaValue>(i).map_err(|_| bad_arg())? {
            LuaValue::String(s) => s.as_bytes().to_vec(),
            // Lua 5.1 numbers are doubles; mlua shows integral ones as Integer.
            LuaValue::Integer(i) => fmt_score(i as f64).into_bytes(),
            LuaValue::Number(f) => fmt_score(f).into_bytes(),
            _ => return Err(bad_arg()),
        };
        out.push(bytes);
    }
    Ok(out)
}

fn bad_arg() -> String {
    "ERR Lua redis lib command arguments must be strings or integers".into()
}

/// A command reply as the script sees it.
fn to_lua(lua: &Lua, reply: Reply) -> mlua::Result<LuaValue> {
    Ok(match reply {
        Reply::Nil => LuaValue::Boolean(false),
        Reply::Int(i) => LuaValue::Integer(i),
        Reply::Bulk(b) => LuaValue::String(lua.create_string(b)?),
        Reply::Status(s) => {
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("ok", s)?;
            LuaValue::Table(t)
        }
        Reply::Error(e) => {
            let t = lua.create_table_with_capacity(0, 1)?;
            t.raw_set("err", e)?;
            LuaValue::Table(t)
        }
        Reply::Array(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.into_iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, item)?)?;
            }
            LuaValue::Table(t)
        }
    })
}

/// A script's return value as a reply.
fn from_lua(v: LuaValue, depth: usize) -> Reply {
    match v {
        LuaValue::Boolean(true) => Reply::Int(1),
        LuaValue::Integer(i) => Reply::Int(i),
        // Redis truncates toward zero.
        LuaValue::Number(f) => Reply::Int(f as i64),
        LuaValue::String(s) => Reply::Bulk(s.as_bytes().to_vec()),
        LuaValue::Table(t) if depth < MAX_DEPTH => {
            if let Ok(LuaValue::String(e)) = t.raw_get::<LuaValue>("err") {
                return Reply::Error(error_line(e.to_string_lossy()));
            }
            if let Ok(LuaValue::String(s)) = t.raw_get::<LuaValue>("ok") {
                return Reply::Status(s.to_string_lossy());
            }
            // An array ends at its first nil, as in Redis.
            let mut items = Vec::new();
            for i in 1.. {
                match t.raw_get::<LuaValue>(i) {
                    Ok(LuaValue::Nil) | Err(_) => break,
                    Ok(item) => items.push(from_lua(item, depth + 1)),
                }
            }
            Reply::Array(items)
        }
        _ => Reply::Nil,
    }
}
