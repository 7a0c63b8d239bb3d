//! Writing reports without ever leaving a half-written file.
//!
//! A report for a named file goes to a temporary file in the same folder,
//! which is renamed over the target only after a final flush succeeds. A run
//! that fails or is interrupted leaves any earlier report untouched and no
//! partial file under the target's name.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;

use crate::error::{Error, Result};

/// Output buffer size; large writes keep the writer thread cheap. A write
/// at least this large skips the buffer and its copy.
const BUF: usize = 256 << 10;

/// Where a report goes.
pub enum Output {
    /// Standard output.
    Stdout(BufWriter<io::Stdout>),
    /// A device or pipe named on the command line (`/dev/null`, a FIFO):
    /// written in place, since renaming over it would replace the device.
    Special {
        /// The open device.
        file: BufWriter<fs::File>,
        /// Its name.
        target: PathBuf,
    },
    /// A temporary file that becomes `target` on [`Output::commit`].
    File {
        /// The temporary file.
        tmp: BufWriter<tempfile::NamedTempFile>,
        /// The final name.
        target: PathBuf,
        /// Syncs what is written so far while more is made.
        syncer: Syncer,
    },
}

impl Output {
    /// Stdout for `None` or `-`, else a temporary file beside `path`.
    ///
    /// # Errors
    /// [`Error::Write`] when the temporary file cannot be created.
    pub fn create(path: Option<&Path>) -> Result<Output> {
        let Some(path) = path.filter(|p| *p != Path::new("-")) else {
            return Ok(Output::Stdout(BufWriter::with_capacity(BUF, io::stdout())));
        };
        if is_device(path) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| Error::Write { path: path.to_path_buf(), source: e })?;
            return Ok(Output::Special {
                file: BufWriter::with_capacity(BUF, file),
                target: path.to_path_buf(),
            });
        }
        let tmp = temp_beside(path, ".partial")?;
        Ok(Output::File {
            tmp: BufWriter::with_capacity(BUF, tmp),
            target: path.to_path_buf(),
            syncer: Syncer::new(SYNC_EVERY),
        })
    }

    /// A temporary file beside `target`, named with `suffix`, that is never
    /// renamed: a step on the way to another file (the CSV a workbook is
    /// built from), taken back with [`Output::into_temp`]. Messages name
    /// `target`.
    ///
    /// # Errors
    /// [`Error::Write`] when the temporary file cannot be created.
    pub fn staging(target: &Path, suffix: &str) -> Result<Output> {
        Ok(Output::File {
            tmp: BufWriter::with_capacity(BUF, temp_beside(target, suffix)?),
            target: target.to_path_buf(),
            syncer: Syncer::new(SYNC_EVERY),
        })
    }

    /// Flushes a file output and hands back its temporary file, still under
    /// its temporary name and deleted when dropped. Writing through the
    /// handle that created it, rather than renaming a second file over it,
    /// is what Windows needs: it refuses to replace a file that is open.
    ///
    /// # Errors
    /// [`Error::Write`]; [`Error::Internal`] for stdout or a device.
    pub fn into_temp(self) -> Result<tempfile::NamedTempFile> {
        let Output::File { tmp, target, mut syncer } = self else {
            return Err(Error::Internal("only a file output has a temporary file".into()));
        };
        let err = |e: io::Error| Error::Write { path: target.clone(), source: e };
        let tmp = tmp.into_inner().map_err(|e| err(e.into_error()))?;
        syncer.finish().map_err(err)?;
        Ok(tmp)
    }

    /// The name to show in messages and errors.
    pub fn path(&self) -> PathBuf {
        match self {
            Output::Stdout(_) => PathBuf::from("-"),
            Output::File { target, .. } | Output::Special { target, .. } => target.clone(),
        }
    }

    /// Writes bytes.
    ///
    /// # Errors
    /// [`Error::Write`].
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        Write::write_all(self, bytes).map_err(|e| Error::Write { path: self.path(), source: e })
    }

    /// Flushes and, for a file, makes the temporary file durable, so that
    /// [`Output::commit`] is left only the rename (its own sync then finds
    /// nothing to write).
    ///
    /// # Errors
    /// [`Error::Write`].
    pub fn sync(&mut self) -> Result<()> {
        let synced = self.flush().and_then(|()| match self {
            Output::File { tmp, syncer, .. } => {
                syncer.finish()?;
                tmp.get_ref().as_file().sync_all()
            }
            Output::Stdout(_) | Output::Special { .. } => Ok(()),
        });
        synced.map_err(|e| Error::Write { path: self.path(), source: e })
    }

    /// Flushes and, for a file, renames the temporary file over the target.
    /// Only now does the target change.
    ///
    /// # Errors
    /// [`Error::Write`] when flushing, syncing or renaming fails; the target
    /// is then untouched.
    pub fn commit(self) -> Result<()> {
        match self {
            Output::Stdout(mut w) => {
                w.flush().map_err(|e| Error::Write { path: PathBuf::from("-"), source: e })
            }
            Output::Special { mut file, target } => {
                file.flush().map_err(|e| Error::Write { path: target, source: e })
            }
            Output::File { tmp, target, mut syncer } => {
                let err = |e: io::Error| Error::Write { path: target.clone(), source: e };
                let tmp = tmp.into_inner().map_err(|e| err(e.into_error()))?;
                syncer.finish().map_err(err)?;
                tmp.as_file().sync_all().map_err(err)?;
                replace(tmp, &target)
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File { tmp, syncer, .. } => {
                let n = tmp.write(buf)?;
                syncer.wrote(n, tmp.get_ref().as_file());
                Ok(n)
            }
            Output::Special { file, .. } => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File { tmp, .. } => tmp.flush(),
            Output::Special { file, .. } => file.flush(),
        }
    }
}

/// Bytes written between two syncs of a report file by its [`Syncer`].
const SYNC_EVERY: u64 = 32 << 20;

/// Puts a large report on disk while it is still being written. The kernel
/// would otherwise hold all of it in memory until the sync before the
/// rename, which then waits for every byte at once (2.4 s of an 11.5 s run
/// for a 1.4 GB report); a thread of its own syncs the file each time
/// `every` more bytes have been written, so that waiting overlaps the work,
/// and the final sync finds little left. Small reports never start it.
pub struct Syncer {
    every: u64,
    written: u64,
    next: u64,
    /// Asks the thread for one more sync; the thread, with how many it made.
    thread: Option<(mpsc::SyncSender<()>, JoinHandle<io::Result<u64>>)>,
    /// The file could not be shared with a thread: the final sync does all.
    off: bool,
}

impl Syncer {
    fn new(every: u64) -> Syncer {
        Syncer { every, written: 0, next: every, thread: None, off: false }
    }

    /// Counts `n` more bytes written to `file`, and asks for a sync each
    /// time `every` more have been. A request while a sync is running is
    /// dropped: that sync, or the next, covers the bytes.
    fn wrote(&mut self, n: usize, file: &fs::File) {
        self.written += n as u64;
        if self.written < self.next || self.off {
            return;
        }
        self.next = self.written + self.every;
        if self.thread.is_none() {
            let Ok(file) = file.try_clone() else {
                self.off = true;
                return;
            };
            let (tx, rx) = mpsc::sync_channel::<()>(1);
            let spawned = std::thread::Builder::new().name("gstbatch-sync".into()).spawn(
                move || -> io::Result<u64> {
                    let mut syncs = 0;
                    for () in rx {
                        file.sync_data()?;
                        syncs += 1;
                    }
                    Ok(syncs)
                },
            );
            match spawned {
                Ok(handle) => self.thread = Some((tx, handle)),
                Err(_) => {
                    self.off = true;
                    return;
                }
            }
        }
        if let Some((tx, _)) = &self.thread {
            let _ = tx.try_send(());
        }
    }

    /// Waits for the thread's last sync; returns how many it made, or the
    /// first error one met.
    fn finish(&mut self) -> io::Result<u64> {
        let Some((tx, handle)) = self.thread.take() else { return Ok(0) };
        drop(tx);
        handle.join().unwrap_or_else(|_| Err(io::Error::other("the sync thread panicked")))
    }
}

/// A new temporary file in `target`'s folder (so that renaming it over the
/// target is atomic), named `.gstbatch-*` plus `suffix`; deleted if dropped.
///
/// # Errors
/// [`Error::Write`], naming the target.
pub fn temp_beside(target: &Path, suffix: &str) -> Result<tempfile::NamedTempFile> {
    // What the rename at the end would refuse is refused now, before any
    // work that cannot be taken back (a store commit, a paid call).
    let refuse = |kind: io::ErrorKind, why: &str| {
        Err(Error::Write { path: target.to_path_buf(), source: io::Error::new(kind, why) })
    };
    match fs::metadata(target) {
        Ok(m) if m.is_dir() => return refuse(io::ErrorKind::IsADirectory, "it is a folder"),
        Ok(m) if m.permissions().readonly() => {
            return refuse(io::ErrorKind::PermissionDenied, "the file is read-only");
        }
        _ => {}
    }
    let dir = folder_of(target);
    let tmp = tempfile::Builder::new()
        .prefix(".gstbatch-")
        .suffix(suffix)
        .tempfile_in(dir)
        .map_err(|e| Error::Write { path: target.to_path_buf(), source: without_path(e) })?;
    PARTIALS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(tmp.path().into());
    Ok(tmp)
}

/// Renames a finished temporary file over `target`, which gets the
/// permissions of the file it replaces (as a shell's `>` would).
///
/// # Errors
/// [`Error::Write`] naming `target`, which is then untouched. Windows
/// refuses to replace a file another program holds open (a report still
/// open in Excel): the message says so, rather than "Access denied".
pub fn replace(tmp: tempfile::NamedTempFile, target: &Path) -> Result<()> {
    let err = |e: io::Error| Error::Write { path: target.to_path_buf(), source: e };
    set_permissions(tmp.path(), target).map_err(err)?;
    tmp.persist(target).map_err(|e| {
        let e = e.error;
        // Windows refuses to replace a file another program holds open:
        // access denied, or a sharing (32) or lock (33) violation.
        let held = e.kind() == io::ErrorKind::PermissionDenied
            || matches!(e.raw_os_error(), Some(32 | 33));
        if cfg!(windows) && held && target.exists() {
            return err(io::Error::new(
                e.kind(),
                "the file is open in another program (Excel?): close it and run again; \
                 it was left as it was",
            ));
        }
        err(e)
    })?;
    Ok(())
}

/// Whether `path` names a device or a pipe, which is written in place:
/// renaming a file over it would replace the device, or fail.
///
/// On Unix that is anything that exists and is neither a file nor a folder
/// (`/dev/null`, a FIFO). Windows keeps its devices out of the file system,
/// so they are known by name: `NUL`, `CON`, `COM1` and the like in any
/// folder and with any extension (`nul.csv` is the null device too), and
/// any `\\.\` path.
pub fn is_device(path: &Path) -> bool {
    if cfg!(windows) {
        windows_device(path)
    } else {
        fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
    }
}

/// The Windows reserved device names test of [`is_device`], kept apart
/// so that it is tested on every platform.
fn windows_device(path: &Path) -> bool {
    let text = path.to_string_lossy();
    if text.starts_with(r"\\.\") || text.starts_with("//./") {
        return true;
    }
    // Split by hand: both separators count on Windows, whatever the host.
    let name = text.rsplit(['\\', '/']).next().unwrap_or(&text);
    // The stem before any extension, with trailing spaces, dots and a
    // colon ignored as Windows ignores them.
    let stem = name.split('.').next().unwrap_or(name);
    let stem = stem.trim_end_matches([' ', ':']).to_ascii_uppercase();
    matches!(stem.as_str(), "NUL" | "CON" | "PRN" | "AUX" | "CONIN$" | "CONOUT$")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && matches!(stem.as_bytes()[3], b'1'..=b'9'))
}

/// The folder a path names a file in (`.` for a bare file name).
pub fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Every temporary file made by [`temp_beside`] in this process. A file
/// that was since renamed into place or deleted is simply gone from its
/// temporary name, so the list needs no upkeep.
static PARTIALS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Deletes the temporary files still under their temporary names: for the
/// binary's SIGINT/SIGTERM handler, which then exits without finishing, so
/// that an interrupted run leaves no `.gstbatch-*.partial` behind (and any
/// earlier report untouched, as always).
pub fn remove_partials() {
    let list = PARTIALS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for path in list.iter() {
        let _ = fs::remove_file(path);
    }
}

/// The temporary file's name is ours, not the user's: messages name the
/// target, so the cause keeps only the operating system's words.
fn without_path(e: io::Error) -> io::Error {
    // tempfile wraps the OS error in one whose text ends with the path, and
    // does not expose the original.
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((words, _)) => io::Error::new(e.kind(), words.to_string()),
        None => e,
    }
}

/// A report gets the permissions of the file it replaces (never wider), or
/// those of any new file under the process's umask, as `>` in a shell would
/// give (the temporary file starts as owner-only).
#[cfg(unix)]
pub(crate) fn set_permissions(tmp: &Path, target: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let perms = match fs::metadata(target) {
        Ok(m) => m.permissions(),
        Err(_) => fs::Permissions::from_mode(0o666 & !umask()),
    };
    fs::set_permissions(tmp, perms)
}

/// The process's umask, read without changing it (Linux reports it in
/// `/proc/self/status`); elsewhere the common `022`.
#[cfg(unix)]
fn umask() -> u32 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Umask:"))?;
            u32::from_str_radix(line["Umask:".len()..].trim(), 8).ok()
        })
        .unwrap_or(0o022)
}

#[cfg(not(unix))]
pub(crate) fn set_permissions(_tmp: &Path, _target: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.csv");
        fs::write(&target, "old").unwrap();
        let mut out = Output::create(Some(&target)).unwrap();
        out.write_all(b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        drop(out);
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "temporary file left behind");
        let mut out = Output::create(Some(&target)).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_large_file_is_synced_while_it_is_written_and_arrives_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.csv");
        let mut out = Output::create(Some(&target)).unwrap();
        let Output::File { syncer, .. } = &mut out else { panic!("not a file") };
        *syncer = Syncer::new(4096);
        let line = [b'x'; 100];
        let mut want = Vec::new();
        for i in 0..2000u32 {
            out.write_all(&line[..(i % 100) as usize]).unwrap();
            want.extend_from_slice(&line[..(i % 100) as usize]);
        }
        out.flush().unwrap();
        let Output::File { syncer, .. } = &mut out else { panic!("not a file") };
        assert!(syncer.thread.is_some(), "a sync thread was started");
        assert!(syncer.finish().unwrap() >= 1, "at least one sync ran");
        out.write_all(b"end").unwrap();
        want.extend_from_slice(b"end");
        out.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), want);
        // A small file starts no thread.
        let mut small = Syncer::new(SYNC_EVERY);
        small.wrote(1000, &fs::File::open(&target).unwrap());
        assert!(small.thread.is_none());
        assert_eq!(small.finish().unwrap(), 0);
    }

    #[test]
    fn messages_name_the_target_not_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let e = Output::create(Some(&dir.path().join("no/such/r.csv"))).err().unwrap();
        let text = e.describe();
        assert!(text.contains("r.csv") && !text.contains(".gstbatch-"), "{text}");
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let mut out = Output::create(Some(Path::new("/dev/null"))).unwrap();
        assert!(matches!(out, Output::Special { .. }));
        out.write_all(b"x").unwrap();
        out.commit().unwrap();
        assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device());
    }

    #[test]
    fn windows_devices_are_known_by_name_in_any_folder_and_case() {
        for dev in [
            "NUL",
            "nul",
            "Nul.csv",
            r"C:\Users\a\nul",
            "con",
            "PRN",
            "aux.txt",
            "COM1",
            "lpt9",
            "CONOUT$",
            "nul:",
            r"\\.\pipe\x",
            "//./COM3",
        ] {
            assert!(windows_device(Path::new(dev)), "{dev}");
        }
        for file in ["null", "nul_report.csv", "COM0", "COM10", "console.csv", "r.csv", "LPT"] {
            assert!(!windows_device(Path::new(file)), "{file}");
        }
    }

    #[test]
    fn a_staging_file_is_written_in_place_and_handed_back_unrenamed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r.xlsx");
        let mut out = Output::staging(&target, ".csv.partial").unwrap();
        assert_eq!(out.path(), target, "messages name the target");
        out.write_all(b"a,b\n").unwrap();
        let tmp = out.into_temp().unwrap();
        assert_eq!(fs::read(tmp.path()).unwrap(), b"a,b\n");
        assert!(!target.exists());
        drop(tmp);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "the staging file is deleted");
    }
}
