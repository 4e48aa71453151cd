//! The `cjson` library Redis gives scripts: `cjson.encode`, `cjson.decode` and
//! `cjson.null`, with lua-cjson's rules (numbers as `%.14g`, `/` escaped, an
//! empty table encodes as `{}`, tables with only 1..n keys as arrays, JSON null
//! decodes to `cjson.null`).

use std::ffi::c_void;

use mlua::{LightUserData, Lua, Table, Value as LuaValue};

/// lua-cjson's nesting limit.
const MAX_DEPTH: usize = 1000;

fn null() -> LuaValue {
    LuaValue::LightUserData(LightUserData(std::ptr::null_mut::<c_void>()))
}

/// Builds the `cjson` table.
pub fn library(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.set(
        "encode",
        lua.create_function(|lua, v: LuaValue| {
            let mut out = Vec::new();
            encode(lua, &v, 0, &mut out)?;
            lua.create_string(out)
        })?,
    )?;
    t.set(
        "decode",
        lua.create_function(|lua, s: mlua::LuaString| {
            let v: serde_json::Value = serde_json::from_slice(&s.as_bytes()).map_err(|e| {
                mlua::Error::RuntimeError(format!("Expected value but found invalid token: {e}"))
            })?;
            decode(lua, v)
        })?,
    )?;
    t.set("null", null())?;
    Ok(t)
}

fn decode(lua: &Lua, v: serde_json::Value) -> mlua::Result<LuaValue> {
    use serde_json::Value as J;
    Ok(match v {
        J::Null => null(),
        J::Bool(b) => LuaValue::Boolean(b),
        J::Number(n) => LuaValue::Number(n.as_f64().unwrap_or(0.0)),
        J::String(s) => LuaValue::String(lua.create_string(s)?),
        J::Array(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.into_iter().enumerate() {
                t.raw_set(i + 1, decode(lua, item)?)?;
            }
            LuaValue::Table(t)
        }
        J::Object(map) => {
            let t = lua.create_table_with_capacity(0, map.len())?;
            for (k, item) in map {
                t.raw_set(k, decode(lua, item)?)?;
            }
            LuaValue::Table(t)
        }
    })
}

fn fail(msg: impl Into<String>) -> mlua::Error {
    mlua::Error::RuntimeError(msg.into())
}

fn encode_number(lua: &Lua, f: f64, out: &mut Vec<u8>) -> mlua::Result<()> {
    if !f.is_finite() {
        return Err(fail("Cannot serialise number: must not be NaN or Infinity"));
    }
    // Lua's own number-to-string is exactly "%.14g".
    let s = lua
        .coerce_string(LuaValue::Number(f))?
        .ok_or_else(|| fail("Cannot serialise number"))?;
    out.extend_from_slice(&s.as_bytes());
    Ok(())
}

fn encode_string(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b if b < 0x20 || b == 0x7f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            b => out.push(b),
        }
    }
    out.push(b'"');
}

/// The array length if every key is a positive integer (lua-cjson refuses
/// arrays that are mostly holes), or `None` for an object.
fn array_len(t: &Table) -> mlua::Result<Option<usize>> {
    let (mut max, mut count) = (0usize, 0usize);
    for pair in t.clone().pairs::<LuaValue, LuaValue>() {
        let (k, _) = pair?;
        let idx = match k {
            LuaValue::Integer(i) if i >= 1 => i as usize,
            LuaValue::Number(f) if f >= 1.0 && f.fract() == 0.0 => f as usize,
            _ => return Ok(None),
        };
        max = max.max(idx);
        count += 1;
    }
    if count == 0 {
        return Ok(None);
    }
    if max > 10 && max > count * 2 {
        return Err(fail("Cannot serialise table: excessively sparse array"));
    }
    Ok(Some(max))
}

fn encode(lua: &Lua, v: &LuaValue, depth: usize, out: &mut Vec<u8>) -> mlua::Result<()> {
    match v {
        LuaValue::Nil => out.extend_from_slice(b"null"),
        LuaValue::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        LuaValue::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        LuaValue::Integer(i) => encode_number(lua, *i as f64, out)?,
        LuaValue::Number(f) => encode_number(lua, *f, out)?,
        LuaValue::String(s) => encode_string(&s.as_bytes(), out),
        LuaValue::Table(t) => {
            if depth >= MAX_DEPTH {
                return Err(fail(format!(
                    "Cannot serialise, excessive nesting ({})",
                    depth + 1
                )));
            }
            match array_len(t)? {
                Some(len) => {
                    out.push(b'[');
                    for i in 1..=len {
                        if i > 1 {
                            out.push(b',');
                        }
                        encode(lua, &t.raw_get::<LuaValue>(i)?, depth + 1, out)?;
                    }
                    out.push(b']');
                }
                None => {
                    out.push(b'{');
                    let mut first = true;
                    for pair in t.clone().pairs::<LuaValue, LuaValue>() {
                        let (k, item) = pair?;
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        match &k {
                            LuaValue::String(s) => encode_string(&s.as_bytes(), out),
                            LuaValue::Integer(_) | LuaValue::Number(_) => {
                                let s = lua
                                    .coerce_string(k.clone())?
                                    .ok_or_else(|| fail("table key must be a number or string"))?;
                                encode_string(&s.as_bytes(), out);
                            }
                            _ => {
                                return Err(fail(
                                    "Cannot serialise table: table key must be a number or string",
                                ));
                            }
                        }
                        out.push(b':');
                        encode(lua, &item, depth + 1, out)?;
                    }
                    out.push(b'}');
                }
            }
        }
        other => {
            return Err(fail(format!(
                "Cannot serialise {}: type not supported",
                other.type_name()
            )));
        }
    }
    Ok(())
}
