//! A folder of a space, opened beneath its root ([`Folder`]): what a name in it is, reading a
//! file of it, and an upload's two steps there, staged under a hidden name ([`Folder::stage`])
//! then linked under its own ([`Folder::link`]). Not the walk from the root to the folder, nor
//! the renames, deletions and the bin ([`super::SpaceRoot`]).

use std::io;
use std::sync::Arc;

use cap_std::ambient_authority;
use cap_std::fs::{Dir, OpenOptions};

use super::{Entry, Folder, invalid, is_staging_name, link_refused};

/// A file written under a hidden name in a folder, not yet under its own; dropped, it goes,
/// and then its record (the staging journal's entry, `crate::inflight::Ticket`).
pub struct Staged {
    dir: Arc<Dir>,
    name: Option<String>,
    _record: Box<dyn Send + Sync>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(name) = self.name.take() {
            let _ = self.dir.remove_file(name);
        }
    }
}

impl Folder {
    /// What `name` is in this folder.
    pub fn entry(&self, name: &str) -> io::Result<Entry> {
        match self.dir.symlink_metadata(name) {
            Ok(m) if m.is_file() => Ok(Entry::File),
            Ok(_) => Ok(Entry::Other),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Entry::Free),
            Err(e) => Err(e),
        }
    }

    /// The regular file `name` of this folder, opened to read.
    pub fn open_file(&self, name: &str) -> io::Result<std::fs::File> {
        if !self.dir.symlink_metadata(name)?.is_file() {
            return Err(link_refused());
        }
        Ok(self.dir.open(name)?.into_std())
    }

    /// Moves the file at `spool` (outside any space: the server's spool) to the hidden name
    /// `name` (a [`super::staging_name`]) in this folder (renamed there, or copied from another file
    /// system), with `mtime`, flushed to disk. `record` (the name's journal entry, written
    /// before) is kept until the hidden name is gone.
    pub fn stage(
        &self,
        name: &str,
        record: Box<dyn Send + Sync>,
        spool: tempfile::TempPath,
        mtime: Option<i64>,
    ) -> io::Result<Staged> {
        if !is_staging_name(name) {
            return Err(invalid(format!("{name:?}: not a staging name")));
        }
        let name = name.to_owned();
        let mut create = OpenOptions::new();
        create.write(true).create_new(true);
        let file = self.dir.open_with(&name, &create)?;
        let staged = Staged {
            dir: self.dir.clone(),
            name: Some(name.clone()),
            _record: record,
        };
        let moved = match (spool.parent(), spool.file_name()) {
            (Some(from), Some(file_name)) => Dir::open_ambient_dir(from, ambient_authority())
                .and_then(|from| from.rename(file_name, &self.dir, &name))
                .is_ok(),
            _ => false,
        };
        let file = if moved {
            // The spool file is gone: nothing for its guard to remove.
            let _ = spool.keep();
            self.dir.open_with(&name, OpenOptions::new().write(true))?
        } else {
            let mut input = std::fs::File::open(&spool)?;
            let mut out = file.into_std();
            io::copy(&mut input, &mut out)?;
            cap_std::fs::File::from_std(out)
        };
        let file = file.into_std();
        if let Some(t) = mtime.and_then(|t| u64::try_from(t).ok()) {
            let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(t);
            let _ = file.set_modified(when);
        }
        file.sync_all()?;
        Ok(staged)
    }

    /// Gives the staged file its name: a hard link, which fails (`AlreadyExists`) rather than
    /// replace a file that appeared meanwhile; on a file system without them, a rename while
    /// the name is free. With `replace`, a rename over what is there.
    pub fn link(&self, mut staged: Staged, name: &str, replace: bool) -> io::Result<()> {
        let Some(hidden) = staged.name.clone() else {
            return Err(io::Error::other("the upload was placed already"));
        };
        if replace {
            self.dir.rename(&hidden, &self.dir, name)?;
            staged.name = None;
            return Ok(());
        }
        match self.dir.hard_link(&hidden, &self.dir, name) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(e),
            Err(_) if self.entry(name)? == Entry::Free => {
                self.dir.rename(&hidden, &self.dir, name)?;
                staged.name = None;
                Ok(())
            }
            Err(e) => Err(e),
        }
        // The hidden name goes with `staged`.
    }

    /// Flushes the folder itself (the new names in it).
    pub fn sync(&self) {
        if let Ok(d) = self.dir.try_clone() {
            let _ = d.into_std_file().sync_all();
        }
    }
}
