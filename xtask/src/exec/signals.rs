//! Turns SIGINT and SIGTERM into messages for the scheduler while a run is in progress.

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals as Iter};

/// Forwards signals to a callback on a background thread until dropped.
pub struct Signals {
    handle: Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Signals {
    pub fn forward(mut on_signal: impl FnMut(i32) + Send + 'static) -> anyhow::Result<Signals> {
        let mut signals = Iter::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let thread = std::thread::spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        });
        Ok(Signals {
            handle,
            thread: Some(thread),
        })
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
