//! Read blocks, process them on the rayon pool, hand results to one writer
//! thread in input order.

use std::sync::mpsc;

use rayon::prelude::*;

use crate::error::{Error, Result};

use super::progress::Progress;
use crate::input::BlockReader;

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

/// Runs `process` on every block of `reader` on `pool`, then `batch` on each
/// batch of results in input order, then `write` on each result in input
/// order. Reading, processing and writing run on their own threads and
/// overlap; `batch` runs on the writer's thread with the pool at hand, for
/// work that must see rows in order (duplicate tracking) but can still be
/// split by key. `process` must be pure: no I/O, no shared state.
///
/// Stops at the first error, from reading or from `write`, and returns it.
///
/// # Errors
/// Whatever reading or `write` returned.
pub fn run<T, P, B, W>(
    pool: &rayon::ThreadPool,
    reader: &mut BlockReader,
    progress: &Progress,
    process: P,
    mut batch: B,
    mut write: W,
) -> Result<()>
where
    T: Send,
    P: Fn(&[u8]) -> T + Sync,
    B: FnMut(&rayon::ThreadPool, &mut [T]) + Send,
    W: FnMut(T) -> Result<()> + Send,
{
    let per_batch = pool.current_num_threads() * BLOCKS_PER_JOB;
    std::thread::scope(|scope| {
        // Bounded queues keep memory to a few batches whatever the file size.
        let (block_tx, block_rx) = mpsc::sync_channel::<Vec<u8>>(per_batch);
        let (out_tx, out_rx) = mpsc::sync_channel::<Vec<T>>(1);
        let reading = scope.spawn(move || -> Result<()> {
            while let Some(block) = reader.next_block()? {
                progress.set(reader.bytes_read);
                if block_tx.send(block).is_err() {
                    break;
                }
            }
            Ok(())
        });
        let writing = scope.spawn(move || -> Result<()> {
            for mut results in out_rx {
                batch(pool, &mut results);
                for item in results {
                    write(item)?;
                }
            }
            Ok(())
        });
        loop {
            let blocks: Vec<Vec<u8>> = block_rx.iter().take(per_batch).collect();
            if blocks.is_empty() {
                break;
            }
            let mut out = Vec::with_capacity(blocks.len());
            pool.install(|| blocks.par_iter().map(|b| process(b)).collect_into_vec(&mut out));
            drop(blocks);
            if out_tx.send(out).is_err() {
                // The writer stopped on an error; it reports it below.
                break;
            }
        }
        drop(block_rx);
        drop(out_tx);
        let panicked = || Err(Error::Usage("internal error: a pipeline thread panicked".into()));
        let read_result = reading.join().unwrap_or_else(|_| panicked());
        let write_result = writing.join().unwrap_or_else(|_| panicked());
        read_result.and(write_result)
    })
}
