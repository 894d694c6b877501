//! Deleting items and folders. Files go into the `#recycle` folder of their space root, at the
//! same relative path, as DSM's shared-folder recycle bin keeps them, so a file manager can put
//! them back; with `recycle_bin = false` they are deleted for good. The index forgets them at
//! once (the indexer never looks inside `#recycle`), with their derived files. The files are
//! moved through [`SpaceRoot`], beneath the space's root (crate::space_fs).

use std::path::{Path, PathBuf};

use anyhow::Context;
use shoebox_catalog::files::SHARED_OWNER;

use crate::protocol::error::ApiError;
use crate::space_fs::{SpaceRoot, api_error};
use crate::state::AppState;
use shoebox_catalog::library::ItemRow;

/// The settings key of the recycle bin's switch (`SYNO.Core.RecycleBin set`); unset, the
/// configuration's `recycle_bin` decides.
pub const SETTING: &str = "recycle_bin";

/// Whether deleted files go to the bin (`true`) or are deleted for good.
pub async fn enabled(state: &AppState) -> anyhow::Result<bool> {
    Ok(shoebox_catalog::settings::get(&state.db, SETTING)
        .await?
        .and_then(|v| v.as_bool())
        .unwrap_or(state.config.recycle_bin))
}

/// Every space's bin: the Shared Space's and each account's, with the space's owner id.
pub async fn bins(state: &AppState) -> anyhow::Result<Vec<(i64, PathBuf)>> {
    let mut out = vec![(SHARED_OWNER, state.library.shared_root().join("#recycle"))];
    for user in shoebox_catalog::users::list(&state.db).await? {
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
pub async fn delete_items(state: &AppState, rows: &[ItemRow]) -> Result<(), ApiError> {
    let recycle = enabled(state).await?;
    for row in rows {
        let space = SpaceRoot::of(&state.db, &state.library, row.owner_id).await?;
        let mut files = vec![file_rel(&row.folder_path, &row.filename)];
        if let Some(video) = &row.live_video_name {
            files.push(file_rel(&row.folder_path, video));
        }
        let _paused = state.indexer.pause_scans().await;
        tokio::task::spawn_blocking(move || {
            files.iter().try_for_each(|rel| space.discard(rel, recycle))
        })
        .await
        .context("the delete task")?
        .map_err(|e| api_error("deleting an item", e))?;
        let mut ids = vec![row.id];
        ids.extend(row.live_video_id);
        let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
        shoebox_catalog::files::delete_items(&mut tx, &ids).await?;
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
) -> Result<(), ApiError> {
    if path == "/" {
        return Err(ApiError::bad("id", "the root of a space cannot be deleted"));
    }
    let space = SpaceRoot::of(&state.db, &state.library, owner).await?;
    let recycle = enabled(state).await?;
    let rel = path.to_owned();
    let _paused = state.indexer.pause_scans().await;
    tokio::task::spawn_blocking(move || space.discard(&rel, recycle))
        .await
        .context("the delete task")?
        .map_err(|e| api_error("deleting a folder", e))?;
    let ids = shoebox_catalog::library::items_in_subtree(&state.db, owner, folder_id, path).await?;
    let mut tx = state.db.begin_with("BEGIN IMMEDIATE").await?;
    shoebox_catalog::files::delete_items(&mut tx, &ids).await?;
    shoebox_catalog::files::delete_folder(&mut tx, folder_id).await?;
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
}
