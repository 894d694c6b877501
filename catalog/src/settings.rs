//! Server-wide settings an administrator changes through the API, stored as JSON by key, and
//! the Shared Space access an administrator gives each user.

use serde_json::Value;
use sqlx::SqlitePool;

/// The stored value of `key`, if set.
pub async fn get(db: &SqlitePool, key: &str) -> sqlx::Result<Option<Value>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(db)
        .await?;
    Ok(row.and_then(|(v,)| serde_json::from_str(&v).ok()))
}

pub async fn set(db: &SqlitePool, key: &str, value: &Value) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES (?, ?)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value.to_string())
    .execute(db)
    .await?;
    Ok(())
}

/// Every user with their admin flag and Shared Space access: `(id, name, is_admin, access)`.
pub async fn team_access_list(db: &SqlitePool) -> sqlx::Result<Vec<(i64, String, bool, String)>> {
    sqlx::query_as("SELECT id, name, is_admin, team_access FROM users ORDER BY name COLLATE NOCASE")
        .fetch_all(db)
        .await
}

/// Sets users' Shared Space access in one transaction; false when a user id does not exist.
pub async fn set_team_access(db: &SqlitePool, changes: &[(i64, &str)]) -> sqlx::Result<bool> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for (user, access) in changes {
        let done = sqlx::query("UPDATE users SET team_access = ? WHERE id = ?")
            .bind(access)
            .bind(user)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// One user's rights on one Shared Space folder.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FolderGrant {
    /// `user` or `group`.
    pub kind: String,
    /// The user's or the group's id.
    pub user_id: i64,
    pub view: bool,
    pub download: bool,
    pub upload: bool,
    pub manage: bool,
}

pub async fn folder_grants(db: &SqlitePool, folder: i64) -> sqlx::Result<Vec<FolderGrant>> {
    sqlx::query_as(
        "SELECT 'user' AS kind, user_id, view, download, upload, manage FROM folder_permissions
          WHERE folder_id = ?1
         UNION ALL
         SELECT 'group', group_id, view, download, upload, manage FROM group_folder_permissions
          WHERE folder_id = ?1
         ORDER BY 1 DESC, 2",
    )
    .bind(folder)
    .fetch_all(db)
    .await
}

/// Replaces the grants of one folder; false when a user id does not exist.
pub async fn set_folder_grants(
    db: &SqlitePool,
    folders: &[i64],
    grants: &[FolderGrant],
) -> sqlx::Result<bool> {
    // One transaction for every folder: all of them get the grants, or none does.
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for g in grants {
        let exists: Option<(i64,)> = sqlx::query_as(if g.kind == "group" {
            "SELECT id FROM groups WHERE id = ?"
        } else {
            "SELECT id FROM users WHERE id = ?"
        })
        .bind(g.user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_none() {
            return Ok(false);
        }
    }
    for &folder in folders {
        for table in ["folder_permissions", "group_folder_permissions"] {
            let sql = if table == "folder_permissions" {
                "DELETE FROM folder_permissions WHERE folder_id = ?"
            } else {
                "DELETE FROM group_folder_permissions WHERE folder_id = ?"
            };
            sqlx::query(sql).bind(folder).execute(&mut *tx).await?;
        }
        for g in grants {
            sqlx::query(if g.kind == "group" {
                "INSERT INTO group_folder_permissions (folder_id, group_id, view, download, upload, manage)
                 VALUES (?, ?, ?, ?, ?, ?)"
            } else {
                "INSERT INTO folder_permissions (folder_id, user_id, view, download, upload, manage)
                 VALUES (?, ?, ?, ?, ?, ?)"
            })
            .bind(folder)
            .bind(g.user_id)
            .bind(g.view)
            .bind(g.download)
            .bind(g.upload)
            .bind(g.manage)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
