//! Ctrl-C and SIGTERM. By default a run stops at once (the binary's handler
//! removes unfinished output files first). A command that can stop cleanly
//! (`verify`, whose answers cost money) asks for a graceful stop instead:
//! the first signal only raises a flag it checks, the second stops at once.

use std::sync::atomic::{AtomicBool, Ordering};

static GRACEFUL: AtomicBool = AtomicBool::new(false);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Asks that the first signal only be noted ([`interrupted`]).
pub fn set_graceful(on: bool) {
    GRACEFUL.store(on, Ordering::SeqCst);
}

/// Whether a signal asked the run to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// For the binary's signal handler: notes the signal, and says whether the
/// run must stop at once (not graceful, or a second signal).
pub fn on_signal() -> bool {
    let again = INTERRUPTED.swap(true, Ordering::SeqCst);
    again || !GRACEFUL.load(Ordering::SeqCst)
}
