//! A redis-server of a test's own (free loopback port, extra arguments such as
//! `--maxmemory`), stopped by pid when dropped. For tests that change the
//! server itself: fill its memory, require a password, make it a replica.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::engine::ConnectionOptions;

pub struct PrivateServer {
    pub port: u16,
    child: Child,
}

impl PrivateServer {
    /// Starts redis-server with `args` after the defaults (no persistence);
    /// returns once the port accepts connections.
    pub fn start(args: &[&str]) -> PrivateServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        PrivateServer::start_on(port, args)
    }

    /// As [`PrivateServer::start`], on a given port.
    pub fn start_on(port: u16, args: &[&str]) -> PrivateServer {
        let port_s = port.to_string();
        let mut all = vec![
            "--port",
            &port_s,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ];
        all.extend_from_slice(args);
        let child = Command::new("redis-server")
            .args(&all)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        PrivateServer { port, child }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn connection(&self) -> ConnectionOptions {
        ConnectionOptions {
            url: Some(self.url()),
            ..Default::default()
        }
    }

    /// A plain redis-rs connection for setting the scene.
    pub async fn admin(&self, password: Option<&str>) -> redis::aio::MultiplexedConnection {
        let url = match password {
            Some(p) => format!("redis://:{p}@127.0.0.1:{}", self.port),
            None => self.url(),
        };
        redis::Client::open(url)
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        // By pid: this child only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
