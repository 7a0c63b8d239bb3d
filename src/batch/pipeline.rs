//! Read blocks, process them on the rayon pool, hand results to one writer
//! thread in input order.

use std::sync::mpsc;

use rayon::prelude::*;

use crate::error::{Error, Result};

use super::input::BlockReader;
use super::progress::Progress;

/// Blocks per worker in one batch: enough to keep every worker busy while
/// the slowest block of the batch finishes.
const BLOCKS_PER_JOB: usize = 4;

/// A rayon pool sized from `--jobs` (0 = every core).
///
/// # Errors
/// [`Error::Usage`] if the pool cannot be built.
pub fn pool(jobs: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("gstbatch-worker-{i}"))
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {jobs} worker threads: {e}")))
}

/// Runs `process` on every block of `reader` on `pool`, and `write` on each
/// result in input order on a writer thread, so reading, processing and
/// writing overlap. `process` must be pure: no I/O, no shared state.
///
/// Stops at the first error, from reading or from `write`, and returns it.
///
/// # Errors
/// Whatever reading or `write` returned.
pub fn run<T, P, W>(
    pool: &rayon::ThreadPool,
    reader: &mut BlockReader,
    progress: &Progress,
    process: P,
    mut write: W,
) -> Result<()>
where
    T: Send,
    P: Fn(&[u8]) -> T + Sync,
    W: FnMut(T) -> Result<()> + Send,
{
    let per_batch = pool.current_num_threads() * BLOCKS_PER_JOB;
    std::thread::scope(|scope| {
        // One batch queued while the next is processed: bounded memory.
        let (tx, rx) = mpsc::sync_channel::<Vec<T>>(1);
        let writer = scope.spawn(move || -> Result<()> {
            for batch in rx {
                for item in batch {
                    write(item)?;
                }
            }
            Ok(())
        });
        let read_result = (|| -> Result<()> {
            loop {
                let mut blocks = Vec::with_capacity(per_batch);
                while blocks.len() < per_batch {
                    match reader.next_block()? {
                        Some(b) => blocks.push(b),
                        None => break,
                    }
                }
                if blocks.is_empty() {
                    return Ok(());
                }
                let mut out = Vec::with_capacity(blocks.len());
                pool.install(|| blocks.par_iter().map(|b| process(b)).collect_into_vec(&mut out));
                drop(blocks);
                progress.set(reader.bytes_read);
                if tx.send(out).is_err() {
                    // The writer stopped on an error; it reports it below.
                    return Ok(());
                }
            }
        })();
        drop(tx);
        let write_result = writer.join().unwrap_or_else(|_| {
            Err(Error::Usage("internal error: the writer thread panicked".into()))
        });
        read_result.and(write_result)
    })
}
