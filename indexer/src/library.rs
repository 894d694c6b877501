//! Where the photos live. The Shared Space is one folder (`photo_root`); each user's Personal
//! Space is `homes_root/<user>/Photos`, as on a Synology NAS with the user home service on.
//! This module only lays out and creates folders; walking and watching them is the indexer's.

use std::io;
use std::path::{Path, PathBuf};

/// The two kinds of space a photo can belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// One user's own photos (`SYNO.Foto.*`).
    Personal,
    /// The photos everyone with access shares (`SYNO.FotoTeam.*`).
    Shared,
}

/// The roots of the Shared Space and of the users' homes.
#[derive(Debug, Clone)]
pub struct Library {
    photo_root: PathBuf,
    homes_root: PathBuf,
}

/// Folder names the library never indexes: Synology's metadata and recycle folders, and anything
/// hidden.
pub fn is_ignored_folder(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('@') || name == "#recycle" || name == "#snapshot"
}

impl Library {
    pub fn new(photo_root: PathBuf, homes_root: PathBuf) -> Self {
        Self {
            photo_root,
            homes_root,
        }
    }

    /// The Shared Space root.
    pub fn shared_root(&self) -> &Path {
        &self.photo_root
    }

    /// The folder that holds every user's home.
    pub fn homes_root(&self) -> &Path {
        &self.homes_root
    }

    /// The Personal Space of `user`. The name must be a single, plain path component; account
    /// names are validated when created, and this refuses anything else as a second guard.
    pub fn personal_root(&self, user: &str) -> io::Result<PathBuf> {
        let plain =
            !user.is_empty() && user != "." && user != ".." && !user.contains(['/', '\\', '\0']);
        if !plain {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a plain user name",
            ));
        }
        Ok(self.homes_root.join(user).join("Photos"))
    }

    /// Creates the Shared Space root and the homes folder if they are missing.
    pub fn ensure_roots(&self) -> io::Result<()> {
        std::fs::create_dir_all(&self.photo_root)?;
        std::fs::create_dir_all(&self.homes_root)
    }

    /// Creates `user`'s Personal Space folder if it is missing and returns its path.
    pub fn ensure_personal(&self, user: &str) -> io::Result<PathBuf> {
        let root = self.personal_root(user)?;
        std::fs::create_dir_all(&root)?;
        Ok(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_root_refuses_paths() {
        let lib = Library::new("/p".into(), "/h".into());
        assert_eq!(
            lib.personal_root("alice").expect("plain"),
            Path::new("/h/alice/Photos")
        );
        for bad in ["", ".", "..", "a/b", "..\\x", "a\0"] {
            assert!(lib.personal_root(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn hidden_and_system_folders_are_ignored() {
        for name in [".git", "@eaDir", "#recycle", "#snapshot"] {
            assert!(is_ignored_folder(name), "{name}");
        }
        assert!(!is_ignored_folder("2024 Holidays"));
    }
}
