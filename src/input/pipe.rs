//! Text made on a thread of its own (a workbook's sheet, a return's JSON,
//! as CSV) and read as it is asked for, a few pieces ahead: memory stays a
//! few pieces, however large the source.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Bytes of CSV text handed over at a time.
pub const PIECE: usize = 1 << 20;
/// How many pieces may wait: the producer runs at most this far ahead of
/// the rows being checked, so memory does not grow with the source.
pub const PIECES_AHEAD: usize = 4;

/// What the producer's thread hands over.
pub enum Piece {
    /// The next stretch of text.
    Text(Vec<u8>),
    /// The source is damaged here: the message says how.
    Failed(String),
    /// A note for the user about how the source was read.
    Note(String),
    /// The end.
    Done,
}

/// Starts `produce` on a thread named `name`, its text sent in pieces, and
/// returns the reader once the first piece is ready, so that a source that
/// cannot be opened fails here. What `produce` returns ends the text: done,
/// or failed with its message.
///
/// # Errors
/// The thread cannot start, or the source fails before its first piece.
pub fn spawn<F>(name: &str, produce: F) -> Result<SheetText, String>
where
    F: FnOnce(&SyncSender<Piece>) -> Result<(), String> + Send + 'static,
{
    let (tx, rx) = sync_channel(PIECES_AHEAD);
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let last = match produce(&tx) {
                Ok(()) => Piece::Done,
                Err(message) => Piece::Failed(message),
            };
            // The reader may be gone (the run stopped): nothing to tell.
            let _ = tx.send(last);
        })
        .map_err(|e| format!("cannot start reading it: {e}"))?;
    let mut text = SheetText::new(rx);
    text.take_piece().map_err(|e| e.0)?;
    Ok(text)
}

/// A failure met inside a sheet while its text streams, carried through
/// [`std::io::Error`] so that the block reader reports it as
/// [`crate::Error::Workbook`], as it would have been before any row was read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SheetError(pub String);

/// A sheet as CSV text, read on its own thread as it is asked for: a
/// [`std::io::Read`] whose memory is a few pieces, however large the sheet.
pub struct SheetText {
    rx: Receiver<Piece>,
    piece: Vec<u8>,
    at: usize,
    done: bool,
    notes: Vec<String>,
}

impl SheetText {
    /// The text a producer thread sends on `rx`.
    pub fn new(rx: Receiver<Piece>) -> SheetText {
        SheetText { rx, piece: Vec::new(), at: 0, done: false, notes: Vec::new() }
    }

    /// The notes the producer sent so far (before its first text, all of
    /// them), taken.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// Takes the next piece from the sheet's thread (notes on the way are
    /// kept for [`SheetText::take_notes`]).
    pub fn take_piece(&mut self) -> std::result::Result<(), SheetError> {
        loop {
            match self.rx.recv() {
                Ok(Piece::Note(note)) => self.notes.push(note),
                Ok(Piece::Text(t)) => {
                    (self.piece, self.at) = (t, 0);
                    return Ok(());
                }
                Ok(Piece::Done) => {
                    self.done = true;
                    return Ok(());
                }
                Ok(Piece::Failed(m)) => return Err(SheetError(m)),
                // The thread ended without saying so (it panicked): never a
                // silently shortened sheet.
                Err(_) => {
                    return Err(SheetError(
                        "the workbook's reader stopped before the end of the sheet".into(),
                    ));
                }
            }
        }
    }
}

impl std::io::Read for SheetText {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.piece.len() {
            if self.done {
                return Ok(0);
            }
            self.take_piece().map_err(std::io::Error::other)?;
        }
        let n = buf.len().min(self.piece.len() - self.at);
        buf[..n].copy_from_slice(&self.piece[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
