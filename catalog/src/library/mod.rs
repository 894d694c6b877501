//! The library as the browse APIs read and edit it: items, folders, tags, favourites and the
//! timeline's day counts. Every query takes the space (`owner`) and, where access is limited,
//! the folders the caller may see, so nothing outside them can be read or changed.

mod filter;
mod folders;
mod items;
mod tags;
mod timeline;

pub use filter::*;
pub use folders::*;
pub use items::*;
pub use tags::*;
pub use timeline::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::{self as catalog, NewFile, SHARED_OWNER};

    /// Every keyword plan finds the same items: by id (few matches), per row (many, in listing
    /// order) and from the whole match list (counts).
    #[tokio::test]
    async fn keyword_plans_agree() {
        let dir = tempfile::tempdir().expect("tmp");
        let db = crate::db::open(&dir.path().join("t.db")).await.expect("db");
        let mut conn = db.acquire().await.expect("conn");
        let folder = catalog::ensure_folder(&mut conn, SHARED_OWNER, "/Trip")
            .await
            .expect("folder");
        for n in 0..30i64 {
            let name = if n % 3 == 0 {
                format!("zeppelin_{n}.jpg")
            } else {
                format!("other_{n}.jpg")
            };
            catalog::insert_file(
                &mut conn,
                &NewFile {
                    owner_id: SHARED_OWNER,
                    folder_id: folder,
                    filename: name,
                    size: 1,
                    mtime_ns: n * 1_000_000_000,
                    inode: n,
                    item_type: "photo",
                    format: "jpeg".into(),
                },
            )
            .await
            .expect("insert");
        }
        drop(conn);
        crate::files::flush_search(&db).await.expect("flush");
        let base = ItemFilter {
            keyword: Some("Zeppelin".into()),
            ..ItemFilter::space(SHARED_OWNER)
        };
        let planned = plan_keyword(&db, &base, true)
            .await
            .expect("plan")
            .expect("indexed words");
        let KeywordPlan::Ids(ids) = &planned.keyword_plan else {
            panic!("10 matches are few: {:?}", planned.keyword_plan);
        };
        assert_eq!(ids.len(), 10);
        let mut names = Vec::new();
        for plan in [
            KeywordPlan::Ids(ids.clone()),
            KeywordPlan::PerRow,
            KeywordPlan::Materialize,
        ] {
            let filter = ItemFilter {
                keyword_plan: plan.clone(),
                ..base.clone()
            };
            let rows = list_planned(&db, &filter, Sort::default(), 0, 100)
                .await
                .expect("list");
            assert_eq!(count_planned(&db, &filter).await.expect("count"), 10);
            names.push(rows.into_iter().map(|r| r.filename).collect::<Vec<_>>());
        }
        assert_eq!(names[0].len(), 10);
        assert!(names[0].iter().all(|n| n.starts_with("zeppelin_")));
        assert_eq!(names[0], names[1], "by id and per row");
        assert_eq!(names[0], names[2], "by id and from the whole list");
    }
}
