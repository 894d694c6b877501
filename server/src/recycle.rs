//! Deleting items and folders. Files go into the `#recycle` folder of their space root, at the
//! same relative path, as DSM's shared-folder recycle bin keeps them, so a file manager can put
//! them back; with `recycle_bin = false` they are deleted for good. The index forgets them at
//! once (the indexer never looks inside `#recycle`), with their derived files.

use std::path::{Path, PathBuf};

use anyhow::Context;
use shoebox_indexer::catalog::SHARED_OWNER;

use crate::state::AppState;
use crate::store::library::ItemRow;

/// The folder of a space on disk.
pub async fn space_root(state: &AppState, owner: i64) -> anyhow::Result<PathBuf> {
    if owner == SHARED_OWNER {
        return Ok(state.library.shared_root().to_path_buf());
    }
    let (name,): (String,) = sqlx::query_as("SELECT name FROM users WHERE id = ?")
        .bind(owner)
        .fetch_one(&state.db)
        .await
        .context("the owner of a space")?;
    Ok(state.library.personal_root(&name)?)
}

/// The settings key of the recycle bin's switch (`SYNO.Core.RecycleBin set`); unset, the
/// configuration's `recycle_bin` decides.
pub const SETTING: &str = "recycle_bin";

/// Whether deleted files go to the bin (`true`) or are deleted for good.
pub async fn enabled(state: &AppState) -> anyhow::Result<bool> {
    Ok(crate::store::settings::get(&state.db, SETTING)
        .await?
        .and_then(|v| v.as_bool())
        .unwrap_or(state.config.recycle_bin))
}

/// Every space's bin: the Shared Space's and each account's, with the space's owner id.
pub async fn bins(state: &AppState) -> anyhow::Result<Vec<(i64, PathBuf)>> {
    let mut out = vec![(SHARED_OWNER, state.library.shared_root().join("#recycle"))];
    for user in crate::store::users::list(&state.db).await? {
        if let Ok(root) = state.library.personal_root(&user.name) {
            out.push((user.id.0, root.join("#recycle")));
        }
    }
    Ok(out)
}

/// A bin folder, if it is one: a real folder, not a link that would lead a count or an
/// emptying elsewhere.
fn real_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
}

/// The files in a bin and their bytes (links are not followed).
pub fn usage(dir: &Path) -> (u64, u64) {
    if !real_dir(dir) {
        return (0, 0);
    }
    let (mut files, mut bytes) = (0, 0);
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(m) = e.path().symlink_metadata() else {
                continue;
            };
            if m.is_dir() {
                todo.push(e.path());
            } else {
                files += 1;
                bytes += m.len();
            }
        }
    }
    (files, bytes)
}

/// Deletes everything in a bin (the folder stays); the number of files deleted.
pub fn empty(dir: &Path) -> anyhow::Result<u64> {
    if !real_dir(dir) {
        return Ok(0);
    }
    let (files, _) = usage(dir);
    for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let e = e?;
        let path = e.path();
        let is_dir = path.symlink_metadata().is_ok_and(|m| m.is_dir());
        if is_dir {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        }
        .with_context(|| format!("deleting {}", path.display()))?;
    }
    Ok(files)
}

/// `root` joined with a space-relative path ('/a/b.jpg'), refusing anything that would leave it.
pub fn within(root: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    let mut out = root.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        anyhow::ensure!(
            part != "." && part != ".." && !part.contains('\0'),
            "bad path component in {rel:?}"
        );
        out.push(part);
    }
    Ok(out)
}

/// Where a file at `rel` goes in the bin: the same relative path, with " (n)" before the
/// extension when something of that name is already there.
fn bin_path(root: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    let target = within(&root.join("#recycle"), rel)?;
    if !target.exists() {
        return Ok(target);
    }
    let stem = target
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = target
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    for n in 1..10_000 {
        let candidate = target.with_file_name(format!("{stem} ({n}){ext}"));
        if !candidate.exists() {
            return Ok(candidate);
        }
    }
    anyhow::bail!("too many files named {rel:?} in the recycle bin")
}

/// Moves (or deletes) one file or folder of a space.
pub fn discard(root: &Path, rel: &str, recycle: bool) -> anyhow::Result<()> {
    let source = within(root, rel)?;
    let meta = match std::fs::symlink_metadata(&source) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {rel}")),
    };
    if recycle {
        let target = bin_path(root, rel)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot make the recycle folder for {rel}"))?;
        }
        std::fs::rename(&source, &target)
            .with_context(|| format!("cannot move {rel} into the recycle bin"))?;
    } else if meta.is_dir() {
        std::fs::remove_dir_all(&source).with_context(|| format!("cannot delete {rel}"))?;
    } else {
        std::fs::remove_file(&source).with_context(|| format!("cannot delete {rel}"))?;
    }
    Ok(())
}

fn file_rel(folder_path: &str, name: &str) -> String {
    if folder_path == "/" {
        format!("/{name}")
    } else {
        format!("{folder_path}/{name}")
    }
}

/// Deletes items: their files (a Live Photo's video too) go to the bin, their rows and derived
/// files go. Stops at the first file that cannot be moved; what was done stays done and
/// consistent (each item's rows go only after its files moved).
pub async fn delete_items(state: &AppState, rows: &[ItemRow]) -> anyhow::Result<()> {
    let recycle = enabled(state).await?;
    for row in rows {
        let root = space_root(state, row.owner_id).await?;
        let mut files = vec![file_rel(&row.folder_path, &row.filename)];
        if let Some(video) = &row.live_video_name {
            files.push(file_rel(&row.folder_path, video));
        }
        let root2 = root.clone();
        let _paused = state.indexer.pause_scans().await;
        tokio::task::spawn_blocking(move || {
            files
                .iter()
                .try_for_each(|rel| discard(&root2, rel, recycle))
        })
        .await
        .context("the delete task")??;
        let mut ids = vec![row.id];
        ids.extend(row.live_video_id);
        let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
        shoebox_indexer::catalog::delete_items(&mut tx, &ids).await?;
        tx.commit().await?;
        for id in ids {
            state.indexer.remove_derived(id);
        }
    }
    Ok(())
}

/// Deletes a folder with everything below it.
pub async fn delete_folder(
    state: &AppState,
    owner: i64,
    folder_id: i64,
    path: &str,
) -> anyhow::Result<()> {
    anyhow::ensure!(path != "/", "the root of a space cannot be deleted");
    let root = space_root(state, owner).await?;
    let recycle = enabled(state).await?;
    let rel = path.to_owned();
    let _paused = state.indexer.pause_scans().await;
    tokio::task::spawn_blocking(move || discard(&root, &rel, recycle))
        .await
        .context("the delete task")??;
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT i.id FROM items i JOIN folders f ON f.id = i.folder_id
          WHERE f.owner_id = ? AND (f.id = ? OR substr(f.path, 1, ?) = ?)",
    )
    .bind(owner)
    .bind(folder_id)
    .bind(path.len() as i64 + 1)
    .bind(format!("{path}/"))
    .fetch_all(&state.db)
    .await?;
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    shoebox_indexer::catalog::delete_items(&mut tx, &ids).await?;
    shoebox_indexer::catalog::delete_folder(&mut tx, folder_id).await?;
    tx.commit().await?;
    for id in ids {
        state.indexer.remove_derived(id);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_space() {
        let root = Path::new("/space");
        assert_eq!(
            within(root, "/a/b.jpg").expect("inside"),
            Path::new("/space/a/b.jpg")
        );
        assert!(within(root, "/a/../../etc/passwd").is_err());
        assert!(within(root, "/./x").is_err());
    }

    #[test]
    fn emptying_a_bin_deletes_its_files_and_never_follows_a_link() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        let outside = root.join("outside");
        std::fs::create_dir_all(&outside).expect("mkdir");
        std::fs::write(outside.join("keep.jpg"), b"keep").expect("write");
        let bin = root.join("space/#recycle");
        std::fs::create_dir_all(bin.join("a/b")).expect("mkdir");
        std::fs::write(bin.join("a/b/x.jpg"), b"12345").expect("write");
        std::fs::write(bin.join("y.jpg"), b"123").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, bin.join("link")).expect("symlink");
        let links = if cfg!(unix) { 1 } else { 0 };
        assert_eq!(usage(&bin), (2 + links, 8 + usage_of_link(&bin)));
        assert_eq!(empty(&bin).expect("empty"), 2 + links);
        assert!(bin.is_dir(), "the bin folder stays");
        assert_eq!(std::fs::read_dir(&bin).expect("read").count(), 0);
        assert!(
            outside.join("keep.jpg").exists(),
            "a link's target is untouched"
        );
        // A bin that is itself a link is not emptied.
        #[cfg(unix)]
        {
            std::fs::create_dir_all(root.join("other-space")).expect("mkdir");
            std::os::unix::fs::symlink(&outside, root.join("other-space/#recycle"))
                .expect("symlink");
            assert_eq!(empty(&root.join("other-space/#recycle")).expect("empty"), 0);
            assert!(outside.join("keep.jpg").exists());
        }
    }

    fn usage_of_link(bin: &Path) -> u64 {
        bin.join("link").symlink_metadata().map_or(0, |m| m.len())
    }

    #[test]
    fn the_bin_keeps_both_of_two_same_named_files() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path();
        for _ in 0..2 {
            std::fs::create_dir_all(root.join("a")).expect("mkdir");
            std::fs::write(root.join("a/x.jpg"), b"x").expect("write");
            discard(root, "/a/x.jpg", true).expect("discard");
        }
        assert!(root.join("#recycle/a/x.jpg").exists());
        assert!(root.join("#recycle/a/x (1).jpg").exists());
        assert!(!root.join("a/x.jpg").exists());
    }
}
