//! The files of a space, reached only beneath its root (issue 19, hole 11).
//!
//! The rule: every file operation on a space (uploads, folder create, rename and delete, the
//! recycle bin, downloads) goes through a [`SpaceRoot`], which opens the space's root folder
//! once as a [`cap_std::fs::Dir`] and does everything relative to it. cap-std refuses any path
//! that would leave the root (`..`, an absolute path, a symbolic link leading outside; with
//! `openat2(RESOLVE_BENEATH)` where the kernel has it), so the server never reads or writes
//! outside a space whatever a NAS user with SSH or SMB placed in it. On top of that, and like
//! the indexer, it follows no symbolic link inside a space either: a folder or file that is a
//! link is refused ([`LINK`]), so what the API touches is what the index shows.
//!
//! Not for the server's own folders (the spool, thumbnails and previews, keys): their names are
//! never a client's.

use std::io;
use std::path::Path;
use std::sync::Arc;

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use shoebox_catalog::files::SHARED_OWNER;
use shoebox_indexer::library::Library;
use sqlx::SqlitePool;

use crate::protocol::error::ApiError;

mod folder;
pub use folder::Staged;

/// The longest file or folder name the file systems of a NAS take, in bytes.
pub const NAME_MAX: usize = 255;

/// The folder of each space that holds its deleted files (as DSM's shared-folder bin).
pub const BIN: &str = "#recycle";

/// Most " (n)" names tried for a deleted file whose name the bin holds already.
const MAX_BIN_COPIES: u32 = 10_000;

/// What the refusal of a symbolic link says.
pub const LINK: &str = "a symbolic link: Shoebox follows no links in a space";

/// The root folder of one space, opened.
#[derive(Clone)]
pub struct SpaceRoot {
    dir: Arc<Dir>,
}

/// A folder of a space, opened beneath its root.
#[derive(Clone)]
pub struct Folder {
    dir: Arc<Dir>,
}

/// What a name in a folder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// Nothing of that name.
    Free,
    /// A regular file.
    File,
    /// A folder, a symbolic link or anything else.
    Other,
}

fn link_refused() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, LINK)
}

fn invalid(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, why)
}

/// The parts of a space-relative path (`/a/b.jpg` is `["a", "b.jpg"]`, `/` none). A part that
/// is `.` or `..`, longer than [`NAME_MAX`] or holds a NUL is refused: each part names one
/// entry of the folder before it.
pub fn parts(path: &str) -> io::Result<Vec<&str>> {
    path.split('/')
        .filter(|p| !p.is_empty())
        .map(|p| {
            if p == "." || p == ".." || p.contains('\0') || p.len() > NAME_MAX {
                Err(invalid(format!("{path:?}: not a path inside a space")))
            } else {
                Ok(p)
            }
        })
        .collect()
}

/// `path`'s folder parts and its last part (`None` for the root).
fn split(path: &str) -> io::Result<(Vec<&str>, &str)> {
    let mut all = parts(path)?;
    let name = all
        .pop()
        .ok_or_else(|| invalid(format!("{path:?}: the root of a space")))?;
    Ok((all, name))
}

/// `name` with `suffix` before its extension (`a.jpg`, `_1`: `a_1.jpg`), the stem shortened on
/// a character boundary so that the whole stays within [`NAME_MAX`] bytes; `None` when even an
/// empty stem would not fit.
pub fn with_suffix(name: &str, suffix: &str) -> Option<String> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, _)) if !s.is_empty() => (s, &name[s.len()..]),
        _ => (name, ""),
    };
    let room = NAME_MAX.checked_sub(suffix.len() + ext.len())?;
    let mut cut = stem.len().min(room);
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    if cut == 0 {
        return None;
    }
    Some(format!("{}{suffix}{ext}", &stem[..cut]))
}

/// The error a client sees for a failed file operation: a path refused for leaving the space or
/// for a link (or a permission the disk refuses) is 105, a missing file 642, a full disk says
/// so; anything else is logged and 100.
pub fn api_error(what: &str, e: io::Error) -> ApiError {
    match e.kind() {
        io::ErrorKind::PermissionDenied => {
            tracing::warn!("{what}: refused: {e}");
            ApiError::Forbidden
        }
        io::ErrorKind::NotFound => ApiError::NotFound,
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            ApiError::Storage(format!("{what}: the disk is full"))
        }
        _ => ApiError::Internal(anyhow::Error::new(e).context(what.to_owned())),
    }
}

/// Whether a file operation failed because its target name is taken (`AlreadyExists`).
pub fn name_taken(e: &ApiError) -> bool {
    matches!(e, ApiError::Internal(e) if e
        .downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::AlreadyExists))
}

/// Runs blocking file work off the async threads.
pub async fn blocking<T: Send + 'static>(
    what: &'static str,
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context(what)))?
        .map_err(|e| api_error(what, e))
}

impl SpaceRoot {
    /// Opens the root folder at `root` (the Shared Space's, or a test's).
    pub fn open(root: &Path) -> io::Result<SpaceRoot> {
        Ok(SpaceRoot {
            dir: Arc::new(Dir::open_ambient_dir(root, ambient_authority())?),
        })
    }

    /// The space of `owner`: the Shared Space, or a user's `Photos` folder opened beneath the
    /// homes folder (made if missing; neither the home nor `Photos` may be a link).
    pub async fn of(db: &SqlitePool, library: &Library, owner: i64) -> Result<SpaceRoot, ApiError> {
        if owner == SHARED_OWNER {
            let root = library.shared_root().to_path_buf();
            return blocking("opening the Shared Space", move || SpaceRoot::open(&root)).await;
        }
        let name = shoebox_catalog::users::by_id(db, owner)
            .await?
            .ok_or(ApiError::NotFound)?
            .name;
        // The name is checked as one plain part as the library lays it out.
        library
            .personal_root(&name)
            .map_err(|e| api_error("a Personal Space", e))?;
        let homes = library.homes_root().to_path_buf();
        blocking("opening a Personal Space", move || {
            let homes = SpaceRoot::open(&homes)?;
            let photos = homes.walk(&[name.as_str(), "Photos"], true)?;
            Ok(SpaceRoot {
                dir: Arc::new(photos),
            })
        })
        .await
    }

    /// The folder of `parts` below the root, each part a real folder; with `make`, missing
    /// parts are made.
    fn walk(&self, parts: &[&str], make: bool) -> io::Result<Dir> {
        let mut dir = self.dir.try_clone()?;
        for part in parts {
            match dir.symlink_metadata(part) {
                Ok(m) if m.is_symlink() => return Err(link_refused()),
                Ok(m) if m.is_dir() => {}
                Ok(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::NotADirectory,
                        format!("{part:?} is not a folder"),
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound && make => {
                    match dir.create_dir(part) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
            // Beneath the root whatever replaced the part meanwhile (cap-std checks).
            dir = dir.open_dir(part)?;
        }
        Ok(dir)
    }

    /// The folder at `path` (`/` or `/a/b`), which exists.
    pub fn folder(&self, path: &str) -> io::Result<Folder> {
        let dir = self.walk(&parts(path)?, false)?;
        Ok(Folder { dir: Arc::new(dir) })
    }

    /// The folder at `path`, made with its parents as needed.
    pub fn make_folder(&self, path: &str) -> io::Result<Folder> {
        let dir = self.walk(&parts(path)?, true)?;
        Ok(Folder { dir: Arc::new(dir) })
    }

    /// The regular file at `path`, opened to read.
    pub fn open_file(&self, path: &str) -> io::Result<std::fs::File> {
        let (folder, name) = split(path)?;
        Folder {
            dir: Arc::new(self.walk(&folder, false)?),
        }
        .open_file(name)
    }

    /// Renames the folder or file at `from` to `to` (which must not exist).
    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let (from_parent, from_name) = split(from)?;
        let (to_parent, to_name) = split(to)?;
        let source = self.walk(&from_parent, false)?;
        if source.symlink_metadata(from_name)?.is_symlink() {
            return Err(link_refused());
        }
        let target = self.walk(&to_parent, false)?;
        match target.symlink_metadata(to_name) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{to:?} exists"),
                ));
            }
            Err(e) => return Err(e),
        }
        source.rename(from_name, &target, to_name)
    }

    /// Deletes the file or folder at `path`: into the bin at the same relative path (a name
    /// the bin holds already gets " (n)") with `recycle`, else for good. A link is moved or
    /// deleted itself, never what it points to; nothing there is nothing to do.
    pub fn discard(&self, path: &str, recycle: bool) -> io::Result<()> {
        let (parent, name) = split(path)?;
        let folder = match self.walk(&parent, false) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let meta = match folder.symlink_metadata(name) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if recycle {
            let (bin, bin_name) = self.bin_place(&parent, name)?;
            folder.rename(name, &bin, &bin_name)
        } else if meta.is_dir() {
            folder.remove_dir_all(name)
        } else {
            folder.remove_file(name)
        }
    }

    /// Removes the staging file `name` (a [`staging_name`], and a regular file: nothing else
    /// is touched) of the folder at `folder`, left by an interrupted upload; its size, or
    /// `None` when it (or its folder) is not there.
    pub fn remove_staged(&self, folder: &str, name: &str) -> io::Result<Option<u64>> {
        if !is_staging_name(name) {
            return Err(invalid(format!("{name:?}: not a staging name")));
        }
        let dir = match self.walk(&parts(folder)?, false) {
            Ok(d) => d,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = match dir.symlink_metadata(name) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        if !meta.is_file() {
            // Not one this server staged: left alone.
            return Ok(None);
        }
        match dir.remove_file(name) {
            Ok(()) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Puts a copy of the regular file at `path` into the bin, as [`SpaceRoot::discard`] would
    /// put the file (a second link to the same bytes where the file system has them), so that
    /// replacing it leaves the old bytes there.
    pub fn copy_to_bin(&self, path: &str) -> io::Result<()> {
        let (parent, name) = split(path)?;
        let folder = self.walk(&parent, false)?;
        if !folder.symlink_metadata(name)?.is_file() {
            return Err(link_refused());
        }
        let (bin, bin_name) = self.bin_place(&parent, name)?;
        match folder.hard_link(name, &bin, &bin_name) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => Err(e),
            Err(_) => folder.copy(name, &bin, &bin_name).map(|_| ()),
        }
    }

    /// The bin folder for a file of folder `parent` (made as needed) and a free name there.
    fn bin_place(&self, parent: &[&str], name: &str) -> io::Result<(Dir, String)> {
        let mut at = vec![BIN];
        at.extend_from_slice(parent);
        let bin = self.walk(&at, true)?;
        let free = |n: &str| match bin.symlink_metadata(n) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
            Err(e) => Err(e),
            Ok(_) => Ok(false),
        };
        if free(name)? {
            return Ok((bin, name.to_owned()));
        }
        for n in 1..MAX_BIN_COPIES {
            let Some(candidate) = with_suffix(name, &format!(" ({n})")) else {
                break;
            };
            if free(&candidate)? {
                return Ok((bin, candidate));
            }
        }
        Err(io::Error::other(format!(
            "too many files named {name:?} in the recycle bin"
        )))
    }
}

/// What a staged upload's hidden name starts with; 16 lowercase hex digits follow.
pub const STAGING_PREFIX: &str = ".shoebox-upload-";

/// A new, random staging name.
pub fn staging_name() -> String {
    use rand::Rng;
    let mut random = [0u8; 8];
    rand::rng().fill_bytes(&mut random);
    format!("{STAGING_PREFIX}{}", hex::encode(random))
}

/// Whether `name` is a staging name as [`staging_name`] makes them.
pub fn is_staging_name(name: &str) -> bool {
    name.strip_prefix(STAGING_PREFIX).is_some_and(|id| {
        id.len() == 16
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_keep_names_within_255_bytes() {
        assert_eq!(with_suffix("a.jpg", "_1").as_deref(), Some("a_1.jpg"));
        assert_eq!(with_suffix("a", " (2)").as_deref(), Some("a (2)"));
        assert_eq!(with_suffix(".jpg", "_1").as_deref(), Some(".jpg_1"));
        let long = format!("{}.jpg", "é".repeat(125));
        let numbered = with_suffix(&long, "_12").expect("fits");
        assert!(numbered.len() <= NAME_MAX && numbered.ends_with("_12.jpg"));
        assert_eq!(with_suffix(&format!("a.{}", "x".repeat(254)), "_1"), None);
    }

    #[test]
    fn paths_stay_inside_the_space() {
        assert_eq!(parts("/a/b.jpg").expect("inside"), ["a", "b.jpg"]);
        assert!(parts("/").expect("root").is_empty());
        assert!(parts("/a/../../etc/passwd").is_err());
        assert!(parts("/./x").is_err());
        assert!(parts("/a\0b").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn links_are_never_followed() {
        let tmp = tempfile::tempdir().expect("tmp");
        let outside = tmp.path().join("outside");
        let root = tmp.path().join("space");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::fs::create_dir_all(root.join("real")).expect("mkdir");
        std::fs::write(outside.join("x.jpg"), b"secret").expect("write");
        std::fs::write(root.join("real/y.jpg"), b"mine").expect("write");
        std::os::unix::fs::symlink(&outside, root.join("away")).expect("symlink");
        std::os::unix::fs::symlink(outside.join("x.jpg"), root.join("real/x.jpg"))
            .expect("symlink");
        std::os::unix::fs::symlink("../../outside", root.join("real/up")).expect("symlink");
        let space = SpaceRoot::open(&root).expect("open");
        assert!(space.open_file("/away/x.jpg").is_err());
        assert!(space.open_file("/real/x.jpg").is_err());
        assert!(space.open_file("/real/up/x.jpg").is_err());
        assert!(space.make_folder("/away/new").is_err());
        assert!(space.folder("/real/up").is_err());
        assert!(space.rename("/away", "/elsewhere").is_err());
        assert!(space.rename("/real", "/away/real").is_err());
        assert!(space.discard("/away/x.jpg", true).is_err());
        assert!(space.discard("/away/x.jpg", false).is_err());
        // A link is deleted itself, never what it points to.
        space.discard("/real/x.jpg", false).expect("discard");
        assert!(outside.join("x.jpg").exists() && !outside.join("new").exists());
        assert_eq!(
            std::fs::read(outside.join("x.jpg")).expect("read"),
            b"secret"
        );
        assert_eq!(
            std::io::read_to_string(space.open_file("/real/y.jpg").expect("open")).expect("read"),
            "mine"
        );
        // A bin that is a link is not used.
        std::os::unix::fs::symlink(&outside, root.join(BIN)).expect("symlink");
        assert!(space.discard("/real/y.jpg", true).is_err());
        assert!(root.join("real/y.jpg").exists());
    }

    #[cfg(unix)]
    #[test]
    fn only_staging_files_are_removed_as_leftovers() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path().join("space");
        std::fs::create_dir_all(root.join("a")).expect("mkdir");
        let staged = staging_name();
        assert!(is_staging_name(&staged));
        for bad in [
            ".shoebox-upload-",
            ".shoebox-upload-0123",
            "x.jpg",
            ".shoebox-upload-../x",
        ] {
            assert!(!is_staging_name(bad), "{bad}");
        }
        std::fs::write(root.join("a").join(&staged), b"12345").expect("write");
        std::fs::write(tmp.path().join("outside"), b"keep").expect("write");
        let linked = staging_name();
        std::os::unix::fs::symlink(tmp.path().join("outside"), root.join("a").join(&linked))
            .expect("symlink");
        let space = SpaceRoot::open(&root).expect("open");
        assert!(space.remove_staged("/a", "x.jpg").is_err());
        assert!(space.remove_staged("/../a", &staged).is_err());
        assert_eq!(
            space.remove_staged("/a", &staged).expect("removed"),
            Some(5)
        );
        assert_eq!(space.remove_staged("/a", &staged).expect("gone"), None);
        assert_eq!(
            space.remove_staged("/gone", &staged).expect("no folder"),
            None
        );
        // A link of a staging name is left alone, and what it points to.
        assert_eq!(space.remove_staged("/a", &linked).expect("a link"), None);
        assert!(root.join("a").join(&linked).symlink_metadata().is_ok());
        assert!(tmp.path().join("outside").exists());
    }

    #[test]
    fn the_bin_keeps_both_of_two_same_named_files() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        let space = SpaceRoot::open(root).expect("open");
        for _ in 0..2 {
            std::fs::create_dir_all(root.join("a")).expect("mkdir");
            std::fs::write(root.join("a/x.jpg"), b"x").expect("write");
            space.discard("/a/x.jpg", true).expect("discard");
        }
        std::fs::write(root.join("a/x.jpg"), b"y").expect("write");
        space.copy_to_bin("/a/x.jpg").expect("copy");
        assert!(root.join("#recycle/a/x.jpg").exists());
        assert!(root.join("#recycle/a/x (1).jpg").exists());
        assert_eq!(
            std::fs::read(root.join("#recycle/a/x (2).jpg")).expect("read"),
            b"y"
        );
        assert!(root.join("a/x.jpg").exists());
    }
}
