//! Each Redis error reply provoked for real, and what the caller gets: its
//! own code and a message that says what to do. READONLY after a failover
//! reconnects (through a proxy that, like a DNS name, follows the master).

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use serde_json::json;

use super::private_server::PrivateServer;
use crate::engine::{ConnectionOptions, ErrorCode, JobOptions, NewJob, Queue, QueueOptions};

fn job() -> NewJob {
    NewJob {
        name: "j".into(),
        data: json!({}).to_string(),
        opts: JobOptions::from_json(serde_json::Map::new()).unwrap(),
    }
}

fn queue(conn: &ConnectionOptions, name: &str) -> Queue {
    Queue::new(name, conn, QueueOptions::default()).unwrap()
}

#[tokio::test]
async fn foreign_data_at_a_queue_key_names_the_key() {
    let srv = PrivateServer::start(&[]);
    let mut admin = srv.admin(None).await;
    let _: () = redis::cmd("SET")
        .arg("bull:foreign:wait")
        .arg("not a list")
        .query_async(&mut admin)
        .await
        .unwrap();
    let q = queue(&srv.connection(), "foreign");
    let e = q.add(job()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::WrongType);
    let msg = e.to_string();
    assert!(
        msg.contains("\"bull:foreign:wait\" holds a string, but ferroq keeps a list"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_flushed_script_cache_is_invisible() {
    let srv = PrivateServer::start(&[]);
    let q = queue(&srv.connection(), "flushed");
    q.add(job()).await.unwrap();
    let mut admin = srv.admin(None).await;
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query_async(&mut admin)
        .await
        .unwrap();
    // NOSCRIPT: loaded again and run, the caller sees nothing.
    q.add(job()).await.unwrap();
    assert_eq!(q.get_job_counts(&["wait".into()]).await.unwrap()[0].1, 2);
}

#[tokio::test]
async fn credentials_errors_say_what_to_check_and_never_the_password() {
    let srv = PrivateServer::start(&["--requirepass", "s3cret-pw"]);
    let none = queue(&srv.connection(), "auth");
    let e = none.add(job()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RedisAuth, "{e}");
    assert!(e.to_string().contains("NOAUTH"), "{e}");
    let wrong = ConnectionOptions {
        password: Some("wrong-pw".into()),
        ..srv.connection()
    };
    let e = queue(&wrong, "auth").add(job()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RedisAuth, "{e}");
    assert!(e.to_string().contains("WRONGPASS"), "{e}");
    assert!(!e.to_string().contains("wrong-pw"), "{e}");
}

#[tokio::test]
async fn an_unreachable_server_is_named_by_host_and_port_only() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let conn = ConnectionOptions {
        url: Some(format!("redis://user:s3cret@127.0.0.1:{port}")),
        ..Default::default()
    };
    let e = queue(&conn, "down").add(job()).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Connection);
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("cannot reach Redis at 127.0.0.1:{port}")),
        "{msg}"
    );
    assert!(!msg.contains("s3cret"), "{msg}");
}

#[tokio::test]
async fn a_long_script_elsewhere_is_busy() {
    let srv = PrivateServer::start(&["--busy-reply-threshold", "50"]);
    let q = queue(&srv.connection(), "busy");
    q.add(job()).await.unwrap();
    let mut other = srv.admin(None).await;
    let spinning = tokio::spawn(async move {
        redis::cmd("EVAL")
            .arg("while true do end")
            .arg(0)
            .query_async::<redis::Value>(&mut other)
            .await
    });
    let mut killer = srv.admin(None).await;
    // The spinning script blocks Redis past the threshold: BUSY from then on.
    let e = loop {
        match q.get_job_counts(&["wait".into()]).await {
            Err(e) => break e,
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };
    assert_eq!(e.code(), ErrorCode::RedisBusy, "{e}");
    assert!(e.to_string().contains("SCRIPT KILL"), "{e}");
    let _: redis::Value = redis::cmd("SCRIPT")
        .arg("KILL")
        .query_async(&mut killer)
        .await
        .unwrap();
    assert!(spinning.await.unwrap().is_err());
    assert_eq!(q.get_job_counts(&["wait".into()]).await.unwrap()[0].1, 1);
}

#[tokio::test]
async fn a_replica_refuses_writes_as_read_only() {
    let master = PrivateServer::start(&[]);
    let replica = PrivateServer::start(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
    let e = queue(&replica.connection(), "ro")
        .add(job())
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::RedisReadOnly, "{e}");
    assert!(e.to_string().contains("read-only replica"), "{e}");
}

/// A TCP proxy whose new connections go to whichever port `target` holds now,
/// as a DNS name or a cloud endpoint follows a failover.
async fn proxy(target: Arc<AtomicU16>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            let to = target.load(Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn after_a_failover_writes_reach_the_new_master() {
    let a = PrivateServer::start(&[]);
    let b = PrivateServer::start(&["--replicaof", "127.0.0.1", &a.port.to_string()]);
    let target = Arc::new(AtomicU16::new(a.port));
    let via = proxy(target.clone()).await;
    let conn = ConnectionOptions {
        url: Some(format!("redis://127.0.0.1:{via}")),
        ..Default::default()
    };
    let q = queue(&conn, "failover");
    q.add(job()).await.unwrap();

    // Fail over: b becomes the master, a its replica; the endpoint follows b.
    let mut admin_b = b.admin(None).await;
    let _: () = redis::cmd("REPLICAOF")
        .arg("NO")
        .arg("ONE")
        .query_async(&mut admin_b)
        .await
        .unwrap();
    let mut admin_a = a.admin(None).await;
    let _: () = redis::cmd("REPLICAOF")
        .arg("127.0.0.1")
        .arg(b.port)
        .query_async(&mut admin_a)
        .await
        .unwrap();
    target.store(b.port, Ordering::SeqCst);

    // The queue's connection still leads to a (READONLY now): it reconnects
    // and the add lands on b, with no error for the caller.
    q.add(job()).await.expect("add after the failover");
    let on_b: u64 = redis::cmd("LLEN")
        .arg("bull:failover:wait")
        .query_async(&mut admin_b)
        .await
        .unwrap();
    assert!(on_b >= 1, "the add reached the new master");
}

#[tokio::test]
async fn a_server_loading_its_dataset_says_so() {
    // An honest LOADING: a real RDB load, slowed down per key by Redis's own
    // `key-load-delay` setting so the window is wide enough to hit.
    let dir = std::env::temp_dir().join(format!("ferroq-loading-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dir_s = dir.to_str().unwrap().to_string();
    let seed = PrivateServer::start(&["--dir", &dir_s]);
    let mut admin = seed.admin(None).await;
    let _: i64 = redis::cmd("EVAL")
        .arg("for i = 1, 20000 do redis.call('SET', 'k' .. i, 'v') end return 1")
        .arg(0)
        .query_async(&mut admin)
        .await
        .unwrap();
    let _: () = redis::cmd("SAVE").query_async(&mut admin).await.unwrap();
    let port = seed.port;
    drop(admin);
    drop(seed);
    let loading = PrivateServer::start_on(
        port,
        &[
            "--dir",
            &dir_s,
            "--key-load-delay",
            "100",
            "--loading-process-events-interval-bytes",
            "1024",
        ],
    );
    let q = queue(&loading.connection(), "loading");
    let e = q.get_job_counts(&["wait".into()]).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::RedisLoading, "{e}");
    assert!(e.to_string().contains("loading its dataset"), "{e}");
    // Once loaded, the same queue works.
    let counts = loop {
        match q.get_job_counts(&["wait".into()]).await {
            Ok(c) => break c,
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::RedisLoading, "{e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    assert_eq!(counts[0].1, 0);
    drop(loading);
    let _ = std::fs::remove_dir_all(&dir);
}
