//! Two writers making the same folder at once (two phones uploading into a new month folder, or
//! an upload and a scan of a new Personal Space) must both get its one id; neither may fail on
//! the other's row.

use shoebox_catalog::files::ensure_folder;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_get_the_same_folder() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = shoebox_catalog::db::open(&dir.path().join("shoebox.db"))
        .await
        .expect("db");
    for round in 0..40i64 {
        // A new space each round, so that the root and every level are made by the race.
        let owner = 1000 + round;
        let path = format!("/PhotoLibrary/2026/{:02}", round % 12 + 1);
        let racers: Vec<_> = (0..6)
            .map(|_| {
                let (db, path) = (db.clone(), path.clone());
                tokio::spawn(async move {
                    let mut conn = db.acquire().await.expect("connection");
                    ensure_folder(&mut conn, owner, &path).await
                })
            })
            .collect();
        let mut ids = Vec::new();
        for racer in racers {
            ids.push(racer.await.expect("task").unwrap_or_else(|e| {
                panic!("round {round}: a racer failed: {e}");
            }));
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "round {round}: different ids {ids:?}");
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM folders WHERE owner_id = ?")
            .bind(owner)
            .fetch_one(&db)
            .await
            .expect("count");
        assert_eq!(
            rows, 4,
            "round {round}: /, /PhotoLibrary, the year and the month"
        );
    }
}
