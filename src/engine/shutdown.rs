//! One shutdown signal, shared by a worker's loop and its timers. The trigger is
//! passed in, so tests drive it like any caller.

use tokio::sync::watch;

/// The sending side: fire once, seen by every [`ShutdownSignal`].
#[derive(Debug)]
pub struct Shutdown {
    tx: watch::Sender<bool>,
}

/// The receiving side; cheap to clone.
#[derive(Debug, Clone)]
pub struct ShutdownSignal {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    /// A new, unfired signal and one receiver.
    pub fn new() -> (Shutdown, ShutdownSignal) {
        let (tx, rx) = watch::channel(false);
        (Shutdown { tx }, ShutdownSignal { rx })
    }

    /// Fires the signal. Idempotent.
    pub fn fire(&self) {
        self.tx.send_replace(true);
    }
}

impl ShutdownSignal {
    /// Whether it has fired.
    pub fn is_fired(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once it has fired (at once if it already has).
    pub async fn fired(&mut self) {
        // An error means the sender is gone, which also means "stop".
        let _ = self.rx.wait_for(|v| *v).await;
    }
}
