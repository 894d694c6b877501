//! Watching the library: file-system events (inotify through `notify`) become rescans of just
//! the folders they touched, after a short quiet period so that a copy of a thousand files is one
//! scan, not a thousand. Renames and moves keep ids because both ends land in one scan. When the
//! kernel drops events (queue overflow) or a watch cannot be set (watch limit, network mounts),
//! the space is rescanned whole.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use crate::indexer::{Indexer, SpaceRoot};
use crate::library::is_ignored_folder;
use crate::media::MediaKind;

/// Quiet time after the last event before the rescan.
const SETTLE: Duration = Duration::from_millis(800);
/// Longest a burst of events may delay its rescan.
const MAX_DELAY: Duration = Duration::from_secs(5);
/// How many times a failed rescan is tried again before it is left to the next change or poll.
const RESCAN_RETRIES: u32 = 3;

/// Keeps the watches alive; dropping it stops watching.
pub struct WatchHandle {
    _watcher: notify::RecommendedWatcher,
    complete: bool,
}

impl WatchHandle {
    /// Whether every space is watched; when not, changes are only found by rescans.
    pub fn is_complete(&self) -> bool {
        self.complete
    }
}

/// What an event asks for.
enum Rescan {
    Folder { space: usize, rel: String },
    Space(usize),
}

/// The folder (relative to its space) whose subtree must be rescanned for `path`, or `None` when
/// the path is of no interest (hidden, a system folder, not a media file).
fn affected(spaces: &[SpaceRoot], path: &Path) -> Option<Rescan> {
    let (space, rest) = spaces
        .iter()
        .enumerate()
        .filter_map(|(i, s)| path.strip_prefix(&s.root).ok().map(|rest| (i, rest)))
        .max_by_key(|(i, _)| spaces[*i].root.as_os_str().len())?;
    let parts: Vec<&str> = rest.iter().filter_map(|p| p.to_str()).collect();
    if parts.iter().any(|p| is_ignored_folder(p)) {
        return None;
    }
    let is_dir = path.is_dir();
    let Some(last) = parts.last() else {
        return Some(Rescan::Space(space));
    };
    // A file that is not media changes nothing; a name without extension may be a folder.
    if !is_dir && last.contains('.') && MediaKind::of(last).is_none() {
        return None;
    }
    let folder = if is_dir {
        &parts[..]
    } else {
        &parts[..parts.len() - 1]
    };
    let rel = if folder.is_empty() {
        "/".to_owned()
    } else {
        format!("/{}", folder.join("/"))
    };
    Some(Rescan::Folder { space, rel })
}

/// Starts watching every space of `indexer`; changes are rescanned and queued for the workers.
pub fn spawn(indexer: Arc<Indexer>, spaces: Vec<SpaceRoot>) -> anyhow::Result<WatchHandle> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })?;
    let mut complete = true;
    for space in &spaces {
        if let Err(e) = watcher.watch(&space.root, RecursiveMode::Recursive) {
            tracing::warn!(space = %space.label, "cannot watch {}: {e}", space.root.display());
            complete = false;
        }
    }
    tokio::spawn(async move {
        let mut folders: HashMap<usize, HashSet<String>> = HashMap::new();
        let mut whole: HashSet<usize> = HashSet::new();
        loop {
            // Wait for the first event of a burst, then gather until things settle.
            let Some(first) = rx.recv().await else { return };
            let burst_started = tokio::time::Instant::now();
            let mut next = Some(first);
            while let Some(event) = next.take() {
                match event {
                    Ok(event) if event.need_rescan() => whole.extend(0..spaces.len()),
                    Ok(event) => {
                        if matches!(event.kind, EventKind::Access(_)) {
                            // Opening and reading files changes nothing.
                        } else {
                            for path in &event.paths {
                                match affected(&spaces, path) {
                                    Some(Rescan::Folder { space, rel }) => {
                                        folders.entry(space).or_default().insert(rel);
                                    }
                                    Some(Rescan::Space(space)) => {
                                        whole.insert(space);
                                    }
                                    None => {}
                                }
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!("file watch error: {e}; rescanning");
                        whole.extend(0..spaces.len());
                    }
                }
                if burst_started.elapsed() >= MAX_DELAY {
                    break;
                }
                next = tokio::time::timeout(SETTLE, rx.recv()).await.ok().flatten();
            }
            for space in whole.drain() {
                folders.insert(space, HashSet::from(["/".to_owned()]));
            }
            for (space, rels) in folders.drain() {
                let root = &spaces[space];
                let rels: Vec<String> = rels.into_iter().collect();
                // A failed rescan (a busy database, a folder mid-rename) is tried again a few
                // times; a change must not be lost because one attempt fell through.
                let mut attempt = 0u32;
                loop {
                    match indexer.scan_subtrees(root, rels.clone()).await {
                        Ok(report) => {
                            if report.new + report.changed + report.moved + report.removed > 0 {
                                tracing::info!(space = %root.label, new = report.new, changed = report.changed, moved = report.moved, removed = report.removed, "library changed");
                            }
                            break;
                        }
                        Err(e) if attempt < RESCAN_RETRIES => {
                            attempt += 1;
                            tracing::warn!(space = %root.label, attempt, "rescan failed, trying again: {e:#}");
                            tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
                        }
                        Err(e) => {
                            tracing::error!(space = %root.label, "rescan failed: {e:#}");
                            break;
                        }
                    }
                }
            }
            indexer.wake();
        }
    });
    Ok(WatchHandle {
        _watcher: watcher,
        complete,
    })
}

/// For tests and diagnostics: the folder a path maps to.
pub fn folder_of(spaces: &[SpaceRoot], path: &Path) -> Option<(i64, String)> {
    match affected(spaces, path)? {
        Rescan::Folder { space, rel } => Some((spaces[space].owner, rel)),
        Rescan::Space(space) => Some((spaces[space].owner, "/".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_map_to_folders() {
        let dir = tempfile::tempdir().expect("tmp");
        let root = dir.path().join("photo");
        std::fs::create_dir_all(root.join("2020/Trip")).expect("dirs");
        let spaces = vec![SpaceRoot {
            owner: 0,
            root: root.clone(),
            label: "shared".into(),
        }];
        let at = |p: &str| folder_of(&spaces, &root.join(p)).map(|(_, rel)| rel);
        assert_eq!(at("2020/Trip/IMG_1.JPG").as_deref(), Some("/2020/Trip"));
        assert_eq!(
            at("2020/Trip").as_deref(),
            Some("/2020/Trip"),
            "a folder is its own subtree"
        );
        assert_eq!(
            at("gone-folder").as_deref(),
            Some("/"),
            "a vanished folder: its parent"
        );
        assert_eq!(at("IMG_2.heic").as_deref(), Some("/"));
        assert_eq!(at("notes.txt"), None);
        assert_eq!(at("@eaDir/x.jpg"), None);
        assert_eq!(at(".hidden/x.jpg"), None);
        assert!(folder_of(&spaces, Path::new("/elsewhere/x.jpg")).is_none());
    }
}
