//! The keyspace: every key's value and expiry, typed access for commands, and
//! the wake-ups that blocked readers wait on.
//!
//! Time is frozen per command (and per script, as Redis does): [`Db::set_clock`]
//! runs first and also deletes every key whose expiry has passed, so expired
//! keys never linger in memory even when nobody reads them again.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use tokio::sync::Notify;

use super::reply::CmdError;
use super::stream::Stream;
use super::zset::ZSet;

/// A Redis hash.
pub type Hash = HashMap<Vec<u8>, Vec<u8>>;
/// A Redis list.
pub type List = VecDeque<Vec<u8>>;
/// A Redis set.
pub type Set = HashSet<Vec<u8>>;

/// One key's value.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string.
    Str(Vec<u8>),
    /// A hash.
    Hash(Hash),
    /// A list.
    List(List),
    /// A set.
    Set(Set),
    /// A sorted set.
    ZSet(ZSet),
    /// A stream.
    Stream(Box<Stream>),
}

impl Value {
    /// The name `TYPE` answers.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Hash(_) => "hash",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
            Value::Stream(_) => "stream",
        }
    }

    /// Collections that became empty are deleted, as Redis does (streams stay).
    fn is_empty_collection(&self) -> bool {
        match self {
            Value::Hash(h) => h.is_empty(),
            Value::List(l) => l.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::ZSet(z) => z.is_empty(),
            Value::Str(_) | Value::Stream(_) => false,
        }
    }
}

/// A key's value and its absolute expiry (ms since the epoch).
#[derive(Debug, Clone)]
pub struct Entry {
    /// The value.
    pub value: Value,
    /// When the key stops existing, if ever.
    pub expires_at: Option<u64>,
}

/// All keys of one store.
#[derive(Default)]
pub struct Db {
    map: HashMap<Vec<u8>, Entry>,
    /// Keys with an expiry, by due time, so expired ones are found without a scan.
    expiring: BTreeSet<(u64, Vec<u8>)>,
    now_ms: u64,
    /// Blocked readers per key (BZPOPMIN, XREAD BLOCK, ...), woken when the key gets data.
    waiters: HashMap<Vec<u8>, Vec<Arc<Notify>>>,
}

macro_rules! typed_access {
    ($get:ident, $get_mut:ident, $or_new:ident, $variant:ident, $ty:ty, $new:expr) => {
        /// The key's value if it exists and has this type; `WRONGTYPE` otherwise.
        pub fn $get(&mut self, key: &[u8]) -> Result<Option<&$ty>, CmdError> {
            match self.get(key) {
                None => Ok(None),
                Some(Value::$variant(v)) => Ok(Some(v)),
                Some(_) => Err(CmdError::wrong_type()),
            }
        }

        /// Mutable access to the key's value if it exists and has this type.
        /// Call [`Db::drop_if_empty`] after removing elements.
        pub fn $get_mut(&mut self, key: &[u8]) -> Result<Option<&mut $ty>, CmdError> {
            match self.get_mut(key) {
                None => Ok(None),
                Some(Value::$variant(v)) => Ok(Some(v)),
                Some(_) => Err(CmdError::wrong_type()),
            }
        }

        /// The key's value, created empty when missing.
        pub fn $or_new(&mut self, key: &[u8]) -> Result<&mut $ty, CmdError> {
            self.expire_if_due(key);
            let entry = self.map.entry(key.to_vec()).or_insert_with(|| Entry {
                value: Value::$variant($new),
                expires_at: None,
            });
            match &mut entry.value {
                Value::$variant(v) => Ok(v),
                _ => Err(CmdError::wrong_type()),
            }
        }
    };
}

impl Db {
    /// Sets "now" for the next command (or script) and deletes expired keys.
    pub fn set_clock(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        while let Some((due, _)) = self.expiring.first() {
            if *due >= now_ms {
                break;
            }
            let (_, key) = self.expiring.pop_first().expect("checked above");
            self.map.remove(&key);
        }
    }

    /// The frozen "now" of the running command.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    fn expire_if_due(&mut self, key: &[u8]) {
        // A key expires once "now" is past its due time (Redis: now > when).
        if let Some(e) = self.map.get(key)
            && let Some(at) = e.expires_at
            && at < self.now_ms
        {
            self.remove(key);
        }
    }

    /// The key's entry, if it exists (expired keys do not).
    pub fn entry(&mut self, key: &[u8]) -> Option<&mut Entry> {
        self.expire_if_due(key);
        self.map.get_mut(key)
    }

    /// The key's value, if it exists.
    pub fn get(&mut self, key: &[u8]) -> Option<&Value> {
        self.entry(key).map(|e| &e.value)
    }

    /// The key's value for changing in place.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Value> {
        self.entry(key).map(|e| &mut e.value)
    }

    /// Whether the key exists.
    pub fn exists(&mut self, key: &[u8]) -> bool {
        self.entry(key).is_some()
    }

    /// Removes the key (and its expiry); returns what it held.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let e = self.map.remove(key)?;
        if let Some(at) = e.expires_at {
            self.expiring.remove(&(at, key.to_vec()));
        }
        Some(e)
    }

    /// Stores `value` under `key` with the given expiry, replacing what was there.
    pub fn insert(&mut self, key: Vec<u8>, value: Value, expires_at: Option<u64>) {
        self.remove(&key);
        if let Some(at) = expires_at {
            self.expiring.insert((at, key.clone()));
        }
        let signal = matches!(value, Value::List(_) | Value::ZSet(_) | Value::Stream(_));
        self.map.insert(key.clone(), Entry { value, expires_at });
        if signal {
            self.signal(&key);
        }
    }

    /// Sets or clears an existing key's expiry; false if the key does not exist.
    pub fn set_expiry(&mut self, key: &[u8], expires_at: Option<u64>) -> bool {
        self.expire_if_due(key);
        let Some(e) = self.map.get_mut(key) else {
            return false;
        };
        let old = std::mem::replace(&mut e.expires_at, expires_at);
        if let Some(at) = old {
            self.expiring.remove(&(at, key.to_vec()));
        }
        if let Some(at) = expires_at {
            self.expiring.insert((at, key.to_vec()));
        }
        true
    }

    /// Deletes the key if it is a collection that has become empty.
    pub fn drop_if_empty(&mut self, key: &[u8]) {
        if self
            .map
            .get(key)
            .is_some_and(|e| e.value.is_empty_collection())
        {
            self.remove(key);
        }
    }

    typed_access!(string, string_mut, string_or_new, Str, Vec<u8>, Vec::new());
    typed_access!(hash, hash_mut, hash_or_new, Hash, Hash, Hash::new());
    typed_access!(list, list_mut, list_or_new, List, List, List::new());
    typed_access!(set, set_mut, set_or_new, Set, Set, Set::new());
    typed_access!(zset, zset_mut, zset_or_new, ZSet, ZSet, ZSet::default());
    typed_access!(
        stream,
        stream_mut,
        stream_or_new,
        Stream,
        Box<Stream>,
        Box::default()
    );

    /// Every live key (expired ones excluded).
    pub fn keys(&self) -> impl Iterator<Item = &Vec<u8>> {
        let now = self.now_ms;
        self.map
            .iter()
            .filter(move |(_, e)| e.expires_at.is_none_or(|at| at >= now))
            .map(|(k, _)| k)
    }

    /// How many keys exist.
    pub fn len(&self) -> usize {
        self.keys().count()
    }

    /// Whether the store holds no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Deletes every key.
    pub fn clear(&mut self) {
        self.map.clear();
        self.expiring.clear();
    }

    /// Registers a blocked reader on `key`; [`Db::signal`] wakes it.
    pub fn wait_on(&mut self, key: &[u8], waiter: &Arc<Notify>) {
        self.waiters
            .entry(key.to_vec())
            .or_default()
            .push(waiter.clone());
    }

    /// Forgets a blocked reader (woken, timed out or dropped).
    pub fn stop_waiting(&mut self, key: &[u8], waiter: &Arc<Notify>) {
        if let Some(list) = self.waiters.get_mut(key) {
            list.retain(|w| !Arc::ptr_eq(w, waiter));
            if list.is_empty() {
                self.waiters.remove(key);
            }
        }
    }

    /// Whether no reader is blocked on any key.
    pub fn is_waiting_empty(&self) -> bool {
        self.waiters.is_empty()
    }

    /// The key received data: wake every reader blocked on it (each retries).
    pub fn signal(&mut self, key: &[u8]) {
        if let Some(list) = self.waiters.remove(key) {
            for w in list {
                // notify_one keeps a permit when the reader is not polling yet,
                // so a wake-up between its check and its wait is never lost.
                w.notify_one();
            }
        }
    }
}
