//! Every transition loads and runs on a real server (syntax and KEYS arity).

use super::support::fresh_queue;
use crate::engine::scripts::ALL;

#[tokio::test]
async fn every_script_compiles_on_redis() {
    let q = fresh_queue("load");
    for t in ALL {
        let sha: String = redis::from_redis_value(
            q.raw(redis::cmd("SCRIPT").arg("LOAD").arg(t.source))
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", t.name)),
        )
        .unwrap();
        assert_eq!(sha.len(), 40, "{}", t.name);
    }
}
