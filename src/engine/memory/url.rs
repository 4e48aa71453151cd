//! Which store a connection URL names: `memory://` is the default embedded
//! store, `memory://NAME` a named one; other schemes must be Redis's. Options
//! that only mean something for Redis are refused for `memory://`, by name.

use std::sync::Arc;

use super::Store;
use crate::engine::connection::ConnectionOptions;
use crate::engine::error::{Error, Result};

/// The URL schemes a connection accepts.
const SCHEMES: &str = "redis://, rediss://, unix:// or memory://";

/// Refuses a URL whose scheme is none of [`SCHEMES`], naming what it got.
pub fn check_scheme(url: Option<&str>) -> Result<()> {
    let Some(url) = url else { return Ok(()) };
    let Some((scheme, _)) = url.split_once("://") else {
        return Err(Error::invalid(
            "connection.url",
            format!("not a URL (expected {SCHEMES})"),
        ));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "redis" | "rediss" | "unix" | "redis+unix" | "memory" => Ok(()),
        other => Err(Error::invalid(
            "connection.url",
            format!("unknown scheme \"{other}://\" (expected {SCHEMES})"),
        )),
    }
}

/// The store name in a `memory://NAME` URL (`""` for `memory://`), or `None`
/// for other schemes. Names use letters, digits, '.', '_' and '-'.
pub fn store_name(url: &str) -> Result<Option<&str>> {
    let Some((scheme, rest)) = url.split_once(':') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("memory") {
        return Ok(None);
    }
    let name = rest.strip_prefix("//").ok_or_else(|| {
        Error::invalid(
            "connection.url",
            "a memory URL is memory:// or memory://NAME",
        )
    })?;
    let ok = name.len() <= 200
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if !ok {
        return Err(Error::invalid(
            "connection.url",
            "a memory:// store name may only use letters, digits, '.', '_' and '-' (at most 200); memory URLs take no host, port, password, path or query",
        ));
    }
    Ok(Some(name))
}

/// The embedded store these options name, or `None` when they name Redis.
pub fn open_store(opts: &ConnectionOptions) -> Result<Option<Arc<Store>>> {
    let Some(name) = opts.url.as_deref().map(store_name).transpose()?.flatten() else {
        return Ok(None);
    };
    let redis_only = [
        ("connection.tls", opts.tls || opts.tls_ca_pem.is_some()),
        ("connection.cluster", opts.cluster.is_some()),
        ("connection.host", opts.host.is_some()),
        ("connection.port", opts.port.is_some()),
        ("connection.username", opts.username.is_some()),
        ("connection.password", opts.password.is_some()),
        ("connection.db", opts.db.is_some()),
    ];
    if let Some((field, _)) = redis_only.iter().find(|(_, set)| *set) {
        return Err(Error::invalid(
            *field,
            "only applies to Redis; memory:// is an in-process store (use memory://NAME for a separate store)",
        ));
    }
    super::open(name).map(Some).map_err(Error::Connection)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ErrorCode;

    fn opts(url: &str) -> ConnectionOptions {
        ConnectionOptions {
            url: Some(url.into()),
            ..Default::default()
        }
    }

    #[test]
    fn memory_urls_name_stores() {
        assert_eq!(store_name("memory://").unwrap(), Some(""));
        assert_eq!(
            store_name("MEMORY://jobs-1.test").unwrap(),
            Some("jobs-1.test")
        );
        assert_eq!(store_name("redis://localhost").unwrap(), None);
        for bad in [
            "memory:",
            "memory:/x",
            "memory://a/b",
            "memory://u:p@host",
            "memory://x?y=1",
        ] {
            let e = store_name(bad).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidOption, "{bad}");
            assert!(e.to_string().contains("connection.url"), "{bad}: {e}");
        }
    }

    #[test]
    fn unknown_schemes_are_named() {
        let e = check_scheme(Some("http://x")).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidOption);
        assert!(e.to_string().contains("\"http://\""), "{e}");
        assert!(check_scheme(Some("localhost:6379")).is_err());
        assert!(check_scheme(Some("rediss://h:1")).is_ok());
        assert!(opts("ftp://x").target().is_err());
    }

    #[test]
    fn redis_only_options_are_refused_for_memory() {
        let tls = ConnectionOptions {
            tls: true,
            ..opts("memory://")
        };
        let e = open_store(&tls).unwrap_err();
        assert!(e.to_string().contains("connection.tls"), "{e}");
        let cluster = ConnectionOptions {
            cluster: Some(vec!["127.0.0.1:7000".into()]),
            ..opts("memory://x")
        };
        let e = open_store(&cluster).unwrap_err();
        assert!(e.to_string().contains("connection.cluster"), "{e}");
        assert!(open_store(&opts("redis://localhost")).unwrap().is_none());
    }

    #[test]
    fn one_name_is_one_store_while_used() {
        let a = open_store(&opts("memory://url-test-same"))
            .unwrap()
            .unwrap();
        let b = open_store(&opts("memory://url-test-same"))
            .unwrap()
            .unwrap();
        let c = open_store(&opts("memory://url-test-other"))
            .unwrap()
            .unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        let weak = Arc::downgrade(&a);
        drop((a, b));
        assert!(weak.upgrade().is_none(), "an unused store is freed");
    }
}
