//! Build script: napi's link setup for the Node build, and the Lua transitions
//! composed for `src/engine/scripts.rs`.
//!
//! Each `src/engine/lua/<name>.lua` is written to `$OUT_DIR/lua/<name>.lua`
//! with, in front, only the top-level definitions of `lua/lib/` that it names
//! (and what those name, transitively), in library order. Redis runs a script's
//! whole text on every call, so every local function defined there is a closure
//! built per call whether it is used or not.

use std::collections::HashSet;
use std::path::Path;
use std::{env, fs};

/// The shared libraries, in the order their definitions may refer to each other.
const LIBS: [&str; 4] = ["common", "fetch", "flow", "scheduler"];

fn main() {
    // Only the Node build needs napi's link setup; plain `cargo test` must link without it.
    if env::var_os("CARGO_FEATURE_NODE").is_some() {
        napi_build::setup();
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/engine/lua");
    compose_scripts(
        Path::new("src/engine/lua"),
        &Path::new(&env::var("OUT_DIR").unwrap()).join("lua"),
    );
}

/// One top-level statement of a library: the name it defines and its text
/// (with the comment lines right above it).
struct Definition {
    name: String,
    text: String,
}

fn compose_scripts(dir: &Path, out: &Path) {
    let defs: Vec<Definition> = LIBS
        .iter()
        .flat_map(|lib| definitions(&read(&dir.join("lib").join(format!("{lib}.lua")))))
        .collect();
    fs::create_dir_all(out).unwrap();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "lua") {
            let body = read(&path);
            fs::write(out.join(path.file_name().unwrap()), compose(&defs, &body)).unwrap();
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Splits a library into top-level statements: `local function f(...)` ..
/// `end`, `local f` (a forward declaration), `f = function(...)` .. `end`, or a
/// one-line `local x = ...`. Anything else at the top level stops the build.
fn definitions(lib: &str) -> Vec<Definition> {
    let mut out = Vec::new();
    let mut comments = String::new();
    let mut lines = lib.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("--") {
            comments.push_str(line);
            comments.push('\n');
            continue;
        }
        if line.trim().is_empty() {
            comments.clear();
            continue;
        }
        assert!(
            !line.starts_with(char::is_whitespace),
            "lua/lib: unexpected top-level line {line:?}"
        );
        let mut text = std::mem::take(&mut comments);
        text.push_str(line);
        text.push('\n');
        if line.contains("function") && !line.trim_end().ends_with("end") {
            for body in lines.by_ref() {
                text.push_str(body);
                text.push('\n');
                if body == "end" {
                    break;
                }
            }
        }
        let rest = line.strip_prefix("local ").unwrap_or(line);
        let rest = rest.strip_prefix("function ").unwrap_or(rest);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        assert!(!name.is_empty(), "lua/lib: no name in {line:?}");
        out.push(Definition { name, text });
    }
    out
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// The definitions `body` needs, in library order, then `body`.
fn compose(defs: &[Definition], body: &str) -> String {
    let known: HashSet<&str> = defs.iter().map(|d| d.name.as_str()).collect();
    let mut needed: HashSet<&str> = HashSet::new();
    let mut todo: Vec<&str> = words(body).filter(|w| known.contains(w)).collect();
    while let Some(name) = todo.pop() {
        if needed.insert(name) {
            for d in defs.iter().filter(|d| d.name == name) {
                todo.extend(words(&d.text).filter(|w| known.contains(w) && !needed.contains(w)));
            }
        }
    }
    let mut text = String::new();
    for d in defs.iter().filter(|d| needed.contains(d.name.as_str())) {
        text.push_str(&d.text);
    }
    text.push('\n');
    text.push_str(body);
    text
}
