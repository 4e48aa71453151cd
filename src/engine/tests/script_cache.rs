//! A chunked add (several `add_jobs` calls in one MULTI/EXEC) on a Redis whose
//! script cache was emptied: on a private server, since SCRIPT FLUSH on the
//! shared one would reach every test running beside it.

use super::big_batches::chunked_add_after_flush;
use super::private_server::PrivateServer;
use crate::engine::{Queue, QueueOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_add_after_script_flush_on_redis() {
    let server = PrivateServer::start(&[]);
    let q = Queue::new("flush", &server.connection(), QueueOptions::default()).unwrap();
    chunked_add_after_flush(&q).await;
}
