//! The store file itself, below SQLite: what its header says, how a new one
//! appears whole, and its identity, to notice a store deleted or replaced
//! under a run (a backup job, a person): SQLite keeps writing to the file it
//! opened, which then has no name, and every commit after is lost with it.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use rusqlite::Connection;

use super::{APPLICATION_ID, MIGRATIONS, StoreError, known};
use crate::error::Error;

/// What a file's first 100 bytes say about it.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Header {
    /// Marked as a gstbatch store.
    Ours,
    /// An unmarked SQLite database in WAL mode: a store made before stores
    /// were marked, if its tables say so.
    MaybeOurs,
}

/// Reads the SQLite header of an existing file without letting SQLite
/// touch it.
pub(super) fn read_header(path: &Path) -> std::result::Result<Header, StoreError> {
    let mut head = [0u8; 100];
    let mut file = fs::File::open(path).map_err(|e| StoreError::Io("cannot open it", e))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(StoreError::NotOurs("it is a folder"));
    }
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) => return Err(StoreError::Io("cannot read it", e)),
        }
    }
    if got == 0 {
        return Err(StoreError::NotOurs("it is empty"));
    }
    if got < head.len() || &head[..16] != b"SQLite format 3\0" {
        return Err(StoreError::NotOurs("it is not an SQLite database"));
    }
    let app = i32::from_be_bytes([head[68], head[69], head[70], head[71]]);
    match app {
        APPLICATION_ID => Ok(Header::Ours),
        // Bytes 18 and 19 are 2 in WAL mode, which every gstbatch store uses.
        0 if head[18] == 2 && head[19] == 2 => Ok(Header::MaybeOurs),
        0 => Err(StoreError::NotOurs("another application's SQLite database")),
        _ => Err(StoreError::NotOurs("another application's SQLite database (its header says so)")),
    }
}

/// Makes a new, marked, migrated store in a temporary file beside `path`
/// and moves it into place only if nothing is there yet: a store appears
/// whole or not at all, and of two first runs at once one makes it and the
/// other opens it.
pub(super) fn create(path: &Path) -> std::result::Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| StoreError::Io("cannot create its folder", e))?;
    }
    let tmp = crate::batch::output::temp_beside(path, ".db.partial").map_err(|e| match e {
        Error::Write { source, .. } => StoreError::Io("cannot create it", source),
        other => StoreError::Io("cannot create it", io::Error::other(other.to_string())),
    })?;
    {
        let mut conn = Connection::open(tmp.path())?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        let tx = conn.transaction()?;
        for sql in MIGRATIONS {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", known())?;
        tx.commit()?;
        conn.close().map_err(|(_, e)| e)?;
    }
    crate::batch::output::set_permissions(tmp.path(), path)
        .map_err(|e| StoreError::Io("cannot create it", e))?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        // Another run made it first: theirs is as good as ours.
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Io("cannot create it", e.error)),
    }
}

/// What tells one file from another at the same path: the device and
/// inode on Unix, the volume serial number and file index on Windows (the
/// file's creation time would not do: Wine reports the change time there,
/// which every commit moves).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileId {
    id: (u64, u64),
}

impl FileId {
    /// The identity of the file now at `path`.
    ///
    /// # Errors
    /// When nothing is there (deleted) or it cannot be read.
    pub fn of(path: &Path) -> io::Result<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let meta = std::fs::metadata(path)?;
            Ok(FileId { id: (meta.dev(), meta.ino()) })
        }
        #[cfg(windows)]
        {
            let handle = winapi_util::Handle::from_path_any(path)?;
            let info = winapi_util::file::information(&handle)?;
            Ok(FileId { id: (info.volume_serial_number(), info.file_index()) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_or_deleted_file_is_not_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "1").unwrap();
        let first = FileId::of(&a).unwrap();
        std::fs::write(&a, "22").unwrap();
        assert_eq!(FileId::of(&a).unwrap(), first, "a write is the same file");
        std::fs::write(&b, "3").unwrap();
        #[cfg(unix)]
        {
            std::fs::rename(&b, &a).unwrap();
            assert_ne!(FileId::of(&a).unwrap(), first);
        }
        std::fs::remove_file(&a).unwrap();
        assert!(FileId::of(&a).is_err());
    }
}
