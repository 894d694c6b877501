//! The names an upload is stored under: a client's file and folder names, checked
//! ([`safe_file_name`], [`safe_component`]); the folder an `upload` or `backup_to_path` names
//! ([`destination`]); a name by the date taken ([`date_name`]) and the next free numbered one
//! ([`free_name`]). Not whether the caller may write there ([`super::check`]).

use shoebox_indexer::media::MediaKind;
use shoebox_indexer::metadata::time::civil_from_days;

use crate::protocol::error::{ApiError, ApiResult};
use crate::space_fs::{self, Entry, Folder};
use crate::wire::upload::Destination;

/// Where an upload goes before the date is known: a folder path, and whether the year and
/// month taken go below it (the timeline).
pub(super) struct Place {
    pub(super) path: String,
    pub(super) timeline: bool,
}

/// Names Windows (and so the NAS's SMB shares) cannot hold, with or without an extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A file or folder name from a client, checked: one path component, no control characters,
/// not hidden (the library does not show hidden names) and not a system or reserved name.
pub(super) fn safe_component(key: &str, name: &str) -> ApiResult<String> {
    let bad = |why: &str| Err(ApiError::bad(key.to_owned(), format!("{name:?}: {why}")));
    if name.is_empty() || name.trim().is_empty() {
        return bad("empty");
    }
    if name.len() > 255 {
        return bad("longer than 255 bytes");
    }
    if name.contains(['/', '\\']) {
        return bad("a name, not a path");
    }
    if name.chars().any(char::is_control) {
        return bad("control characters");
    }
    if name == "." || name == ".." || name.starts_with('.') {
        return bad("hidden or relative names are not stored");
    }
    if name.starts_with('@') || name.starts_with('#') {
        return bad("names starting with @ or # are the system's");
    }
    if name.ends_with(['.', ' ']) {
        return bad("a name cannot end with a dot or a space");
    }
    let stem = name.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        return bad("a reserved device name");
    }
    Ok(name.to_owned())
}

/// A file name: a safe component the library indexes (a photo or video by its extension).
pub(super) fn safe_file_name(name: &str) -> ApiResult<String> {
    let name = safe_component("name", name)?;
    if MediaKind::of(&name).is_none() {
        return Err(ApiError::bad(
            "name",
            format!("{name:?}: not a photo or video Shoebox indexes (by its extension)"),
        ));
    }
    Ok(name)
}

/// The folder of an `upload`: the parts of `folder` (default `["PhotoLibrary"]`) under the
/// space root, the timeline's year and month to go below it with `uploadDestination=timeline`
/// or with no destination and the default folder; for `backup_to_path`, `path` (default
/// `/MobileBackup`). Not for `upload_to_folder`, whose folder is an id.
pub(super) fn destination(destination: &Destination) -> ApiResult<Place> {
    let (parts, said) = match destination {
        Destination::Path(path) => {
            let path = path.as_deref().unwrap_or("/MobileBackup");
            let parts = path
                .split('/')
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>();
            (parts, Some(false))
        }
        Destination::Library { folder, timeline } => (
            folder
                .clone()
                .unwrap_or_else(|| vec!["PhotoLibrary".to_owned()]),
            *timeline,
        ),
        Destination::Folder(_) => {
            return Err(ApiError::bad("target_folder_id", "a folder id, not a path"));
        }
    };
    let parts = parts
        .iter()
        .map(|p| safe_component("folder", p))
        .collect::<ApiResult<Vec<_>>>()?;
    let timeline = said.unwrap_or_else(|| parts == ["PhotoLibrary"]);
    let path = if parts.is_empty() {
        "/".to_owned()
    } else {
        parts.iter().map(|p| format!("/{p}")).collect()
    };
    Ok(Place { path, timeline })
}

/// Unix seconds from a phone's time, which may be in milliseconds.
pub fn seconds(t: i64) -> i64 {
    if t > 100_000_000_000 { t / 1000 } else { t }
}

/// `IMG_yyyyMMdd_HHmmss` and the original extension (lower case).
pub(super) fn date_name(original: &str, taken: i64) -> String {
    let ext = original
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let days = taken.div_euclid(86_400);
    let secs = taken.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "IMG_{y:04}{m:02}{d:02}_{:02}{:02}{:02}.{ext}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Most numbered names tried for an upload whose name is taken.
const MAX_RENAMES: u32 = 10_000;

/// `name_1.ext`, `name_2.ext`, … the first free in `dir` (the stem shortened to stay within 255
/// bytes); `None` after [`MAX_RENAMES`] tries. A folder that cannot be read is an error, not a
/// name taken.
pub(super) fn free_name(dir: &Folder, name: &str) -> std::io::Result<Option<String>> {
    for n in 1..=MAX_RENAMES {
        let Some(candidate) = space_fs::with_suffix(name, &format!("_{n}")) else {
            return Ok(None);
        };
        if dir.entry(&candidate)? == Entry::Free {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// The answer when the name is taken by a folder or a link, which an upload neither names as
/// its item nor replaces.
pub(super) fn not_a_photo(name: &str) -> ApiError {
    ApiError::bad(
        "name",
        format!("{name:?} is a folder or a link in the folder, not a photo"),
    )
}

/// The space-relative path of `name` in `folder`.
pub(super) fn file_path(folder: &str, name: &str) -> String {
    format!("{}/{name}", folder.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space_fs::SpaceRoot;

    #[test]
    fn names_are_checked() {
        for ok in ["IMG_1.jpg", "été 2020.HEIC", "a..b.mp4", "console.jpg"] {
            assert!(safe_file_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            " ",
            "../x.jpg",
            "a/b.jpg",
            "a\\b.jpg",
            ".hidden.jpg",
            "x\0.jpg",
            "x\n.jpg",
            "CON.jpg",
            "lpt1.JPG",
            "#recycle",
            "@eaDir",
            "x.jpg.",
            "notes.txt",
            "noext",
            &"a".repeat(252).to_string(),
        ] {
            let name = if bad.len() > 250 {
                format!("{bad}.jpg")
            } else {
                bad.to_owned()
            };
            assert!(safe_file_name(&name).is_err(), "{name:?}");
        }
    }

    /// A name accepted by a check, joined onto a folder, names a direct child of it.
    fn stays_a_child(name: &str) {
        use std::path::{Component, Path};
        assert!(
            !name.is_empty() && name.len() <= space_fs::NAME_MAX,
            "{name:?}"
        );
        assert!(!name.contains(['/', '\0']) && name != "." && name != "..");
        let folder = Path::new("/space/folder");
        let joined = folder.join(name);
        assert_eq!(joined.parent(), Some(folder), "{name:?}");
        assert!(matches!(
            joined.components().next_back(),
            Some(Component::Normal(_))
        ));
    }

    proptest::proptest! {
        /// The name checks and the numbered names never panic, and whatever they accept stays
        /// a direct child of its folder (no `..`, `/`, NUL, nothing over 255 bytes).
        #[test]
        fn accepted_names_never_leave_their_folder(
            name in proptest::prelude::any::<String>(),
            picked in proptest::prop_oneof![
                "[a-zA-Z0-9 ._é€😀#@-]{1,260}",
                r"[a-zA-Z0-9 ._/\\\x00-\x1fé€😀#@-]{0,300}",
            ],
            ext in proptest::sample::select(vec!["", ".jpg", ".HEIC", ".mp4", ".jpg.", "/.jpg"]),
            n in 1u32..100_000,
        ) {
            let with_ext = format!("{picked}{ext}");
            for name in [&name, &picked, &with_ext] {
                if let Ok(ok) = safe_component("folder", name) {
                    stays_a_child(&ok);
                }
                if let Ok(ok) = safe_file_name(name) {
                    stays_a_child(&ok);
                    let numbered = space_fs::with_suffix(&ok, &format!("_{n}"))
                        .expect("a checked name can always be numbered");
                    stays_a_child(&numbered);
                    proptest::prop_assert!(safe_file_name(&numbered).is_ok(), "{numbered:?}");
                }
                if let Some(numbered) = space_fs::with_suffix(name, &format!(" ({n})")) {
                    proptest::prop_assert!(numbered.len() <= space_fs::NAME_MAX);
                }
                // A path of a space: every part it yields is one plain name.
                if let Ok(parts) = space_fs::parts(name) {
                    for part in parts {
                        stays_a_child(part);
                    }
                }
            }
        }
    }

    #[test]
    fn the_free_name_is_bounded_and_fits() {
        let tmp = tempfile::tempdir().expect("tmp");
        let space = SpaceRoot::open(tmp.path()).expect("open");
        let dir = space.make_folder("/f").expect("folder");
        let long = format!("{}.jpg", "a".repeat(251));
        std::fs::write(tmp.path().join("f").join(&long), b"x").expect("write");
        let free = free_name(&dir, &long).expect("read").expect("a name");
        assert!(free.len() <= 255 && free.ends_with("_1.jpg"), "{free}");
        assert_eq!(dir.entry(&free).expect("entry"), Entry::Free);
    }

    #[test]
    fn date_names() {
        // 2021-07-06 16:08:14 UTC.
        assert_eq!(
            date_name("x.HEIC", 1_625_587_694),
            "IMG_20210706_160814.heic"
        );
        assert_eq!(date_name("y.jpg", 0), "IMG_19700101_000000.jpg");
    }
}
