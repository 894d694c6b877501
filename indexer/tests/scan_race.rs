//! Uploads racing scans of their own folder: many files added the way the upload handler adds
//! them (the file linked into place, then `Indexer::add_file`, whose id the client is given)
//! while scans of that folder run back to back. Every id handed out must still name its file at
//! the end, and no file may have a second item.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use shoebox_indexer::indexer::{Indexer, IndexerOptions, SpaceRoot};
use shoebox_indexer::library::Library;
use shoebox_indexer::preview::PreviewMode;

/// Files added per run; the runs end when they are all in (the scans loop meanwhile).
const UPLOADS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ids_handed_out_during_scans_survive_them() {
    let dir = tempfile::tempdir().expect("tmp");
    let photo = dir.path().join("photo");
    std::fs::create_dir_all(photo.join("up")).expect("mkdir");
    let db = shoebox_catalog::db::open(&dir.path().join("shoebox.db"))
        .await
        .expect("db");
    let library = Library::new(photo.clone(), photo.join("homes"));
    let options = IndexerOptions {
        workers: 1,
        video_previews: PreviewMode::Off,
        tool_memory_mib: 0,
        recognition: None,
    };
    let indexer = Indexer::new(db.clone(), library, &dir.path().join("cache"), options);
    let space = shared_space(&indexer, &photo).await;

    let stop = Arc::new(AtomicBool::new(false));
    let scans = {
        let (indexer, space, stop) = (indexer.clone(), space.clone(), stop.clone());
        tokio::spawn(async move {
            let mut runs = 0u32;
            let mut removed = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let report = indexer
                    .scan_subtrees(&space, vec!["/up".to_owned()])
                    .await
                    .expect("scan");
                removed += report.removed;
                runs += 1;
            }
            (runs, removed)
        })
    };

    // Half of the files go into folders that do not exist yet when the scans start: a new
    // folder and its first file land together, as a timeline upload's month folder does.
    let mut handed_out: HashMap<i64, (String, String)> = HashMap::new();
    for n in 0..UPLOADS {
        let folder = if n % 2 == 0 {
            "/up".to_owned()
        } else {
            format!("/up/{:02}", n / 20)
        };
        let name = format!("IMG_{n:04}.jpg");
        let on_disk = photo.join(folder.trim_start_matches('/'));
        std::fs::create_dir_all(&on_disk).expect("mkdir");
        std::fs::write(on_disk.join(&name), format!("photo {n}")).expect("write");
        let id = indexer
            .add_file(0, &folder, &name, None)
            .await
            .expect("add_file");
        handed_out.insert(id, (folder, name));
        if n % 16 == 0 {
            tokio::task::yield_now().await;
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (runs, removed) = scans.await.expect("scans");
    // A last scan once everything is still: it must find nothing to change.
    let last = indexer
        .scan_subtrees(&space, vec!["/up".to_owned()])
        .await
        .expect("last scan");
    eprintln!("{UPLOADS} files added during {runs} scans");
    assert!(runs > 1, "the scans did not overlap the uploads");
    assert_eq!(removed, 0, "the scans removed items whose files are there");
    assert_eq!(
        (last.new, last.removed, last.moved),
        (0, 0, 0),
        "the index did not match the disk: {last:?}"
    );

    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT i.id, f.path, i.filename FROM items i JOIN folders f ON f.id = i.folder_id",
    )
    .fetch_all(&db)
    .await
    .expect("items");
    let now: HashMap<i64, (String, String)> =
        rows.into_iter().map(|(id, f, n)| (id, (f, n))).collect();
    for (id, place) in &handed_out {
        assert_eq!(
            now.get(id),
            Some(place),
            "id {id} no longer names {place:?}"
        );
    }
    assert_eq!(now.len(), UPLOADS, "a file has more than one item");
}

async fn shared_space(indexer: &Indexer, photo: &std::path::Path) -> SpaceRoot {
    let spaces = indexer.spaces().await.expect("spaces");
    let space = spaces
        .into_iter()
        .find(|s| s.owner == 0)
        .expect("the shared space");
    assert_eq!(space.root, PathBuf::from(photo));
    space
}
