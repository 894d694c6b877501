//! Groups, album share links, their members and guest sessions (migration 0016).

use sqlx::SqlitePool;

use super::now;

/// What someone may do with a shared album, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    View,
    Download,
    /// Provider: adds photos, removes only their own.
    Upload,
    /// Manager: adds and removes, renames, sets the cover.
    Manage,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "view" => Some(Role::View),
            "download" => Some(Role::Download),
            "upload" => Some(Role::Upload),
            "manage" => Some(Role::Manage),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::View => "view",
            Role::Download => "download",
            Role::Upload => "upload",
            Role::Manage => "manage",
        }
    }

    pub fn downloads(self) -> bool {
        self >= Role::Download
    }
}

/// A share link of an album.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Share {
    pub passphrase: String,
    pub owner_id: i64,
    /// The album shared, or
    pub album_id: Option<i64>,
    /// the Shared Space folder shared (with everything below it).
    pub folder_id: Option<i64>,
    pub privacy: String,
    pub password_hash: Option<String>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

impl Share {
    /// What anyone holding the link may do: nothing for a private link.
    pub fn public_role(&self) -> Option<Role> {
        match self.privacy.as_str() {
            "public-view" => Some(Role::View),
            "public-download" => Some(Role::Download),
            _ => None,
        }
    }

    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|t| t <= now())
    }
}

/// An invited user or group.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Member {
    pub member_type: String,
    pub member_id: i64,
    pub role: String,
}

macro_rules! share_columns {
    () => {
        "passphrase, owner_id, album_id, folder_id, privacy, password_hash, expires_at, created_at"
    };
}

/// The link of `album`, expired or not.
pub async fn of_album(db: &SqlitePool, album: i64) -> sqlx::Result<Option<Share>> {
    sqlx::query_as(concat!(
        "SELECT ",
        share_columns!(),
        " FROM shares WHERE album_id = ?"
    ))
    .bind(album)
    .fetch_optional(db)
    .await
}

/// The link `passphrase`, if it exists and has not expired: an expired link is as if it never
/// existed.
pub async fn live(db: &SqlitePool, passphrase: &str) -> sqlx::Result<Option<Share>> {
    let share: Option<Share> = sqlx::query_as(concat!(
        "SELECT ",
        share_columns!(),
        " FROM shares WHERE passphrase = ?"
    ))
    .bind(passphrase)
    .fetch_optional(db)
    .await?;
    Ok(share.filter(|s| !s.expired()))
}

/// The link of a Shared Space folder, expired or not.
pub async fn of_folder(db: &SqlitePool, folder: i64) -> sqlx::Result<Option<Share>> {
    sqlx::query_as(concat!(
        "SELECT ",
        share_columns!(),
        " FROM shares WHERE folder_id = ?"
    ))
    .bind(folder)
    .fetch_optional(db)
    .await
}

/// What a link shares.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Album(i64),
    Folder(i64),
}

/// Shares an album or a folder (a private link to begin with), or returns the link it has.
pub async fn enable(
    db: &SqlitePool,
    owner: i64,
    target: Target,
    passphrase: &str,
    expires_at: Option<i64>,
) -> sqlx::Result<Share> {
    let (album, folder) = match target {
        Target::Album(a) => (Some(a), None),
        Target::Folder(f) => (None, Some(f)),
    };
    sqlx::query(
        "INSERT INTO shares (passphrase, owner_id, album_id, folder_id, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(passphrase)
    .bind(owner)
    .bind(album)
    .bind(folder)
    .bind(expires_at)
    .bind(now())
    .execute(db)
    .await?;
    let made = match target {
        Target::Album(a) => of_album(db, a).await?,
        Target::Folder(f) => of_folder(db, f).await?,
    };
    Ok(made.expect("just made"))
}

/// Ends the link of a Shared Space folder: its members and guests go.
pub async fn disable_folder(db: &SqlitePool, folder: i64) -> sqlx::Result<bool> {
    let gone = sqlx::query("DELETE FROM shares WHERE folder_id = ?")
        .bind(folder)
        .execute(db)
        .await?
        .rows_affected();
    Ok(gone > 0)
}

/// Ends the link of `album`: its members, its guests' sessions, and the photos others added
/// to the album go (those stay in the library). The album is private again.
pub async fn disable(db: &SqlitePool, album: i64) -> sqlx::Result<bool> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    let gone = sqlx::query("DELETE FROM shares WHERE album_id = ?")
        .bind(album)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM album_items WHERE album_id = ? AND added_by IS NOT NULL")
        .bind(album)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE albums SET version = version + 1 WHERE id = ?")
        .bind(album)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(gone > 0)
}

/// Changes a link's privacy, password (`Some(None)` removes it) and expiry (`Some(None)`:
/// never).
pub async fn update(
    db: &SqlitePool,
    passphrase: &str,
    privacy: Option<&str>,
    password_hash: Option<Option<String>>,
    expires_at: Option<Option<i64>>,
) -> sqlx::Result<()> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    if let Some(p) = privacy {
        sqlx::query("UPDATE shares SET privacy = ? WHERE passphrase = ?")
            .bind(p)
            .bind(passphrase)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(h) = password_hash {
        sqlx::query("UPDATE shares SET password_hash = ? WHERE passphrase = ?")
            .bind(h)
            .bind(passphrase)
            .execute(&mut *tx)
            .await?;
        // A new password signs the guests out.
        sqlx::query("DELETE FROM guest_sessions WHERE passphrase = ?")
            .bind(passphrase)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(t) = expires_at {
        sqlx::query("UPDATE shares SET expires_at = ? WHERE passphrase = ?")
            .bind(t)
            .bind(passphrase)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

pub async fn set_member(
    db: &SqlitePool,
    passphrase: &str,
    member_type: &str,
    member_id: i64,
    role: Option<Role>,
) -> sqlx::Result<()> {
    match role {
        Some(role) => {
            sqlx::query(
                "INSERT INTO share_members (passphrase, member_type, member_id, role)
                 VALUES (?, ?, ?, ?)
                 ON CONFLICT(passphrase, member_type, member_id) DO UPDATE SET role = excluded.role",
            )
            .bind(passphrase)
            .bind(member_type)
            .bind(member_id)
            .bind(role.name())
            .execute(db)
            .await?;
        }
        None => {
            sqlx::query(
                "DELETE FROM share_members
                  WHERE passphrase = ? AND member_type = ? AND member_id = ?",
            )
            .bind(passphrase)
            .bind(member_type)
            .bind(member_id)
            .execute(db)
            .await?;
        }
    }
    Ok(())
}

pub async fn members(db: &SqlitePool, passphrase: &str) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(
        "SELECT member_type, member_id, role FROM share_members WHERE passphrase = ?
          ORDER BY member_type DESC, member_id",
    )
    .bind(passphrase)
    .fetch_all(db)
    .await
}

/// What `user` may do with the album behind `share`: everything as its owner; else the
/// strongest of their invitation, their groups' invitations and the link's public role.
pub async fn role_of(db: &SqlitePool, share: &Share, user: i64) -> sqlx::Result<Option<Role>> {
    Ok(invited_role(db, share, user)
        .await?
        .into_iter()
        .chain(share.public_role())
        .max())
}

/// What `user` may do with the album behind `share` as its owner (everything) or an invitee
/// (the strongest of their invitation and their groups'), leaving the public role aside.
pub async fn invited_role(db: &SqlitePool, share: &Share, user: i64) -> sqlx::Result<Option<Role>> {
    if share.owner_id == user {
        return Ok(Some(Role::Manage));
    }
    let roles: Vec<(String,)> = sqlx::query_as(
        "SELECT role FROM share_members
          WHERE passphrase = ?1 AND (
                (member_type = 'user' AND member_id = ?2)
             OR (member_type = 'group' AND member_id IN
                    (SELECT group_id FROM group_members WHERE user_id = ?2)))",
    )
    .bind(&share.passphrase)
    .bind(user)
    .fetch_all(db)
    .await?;
    Ok(roles.iter().filter_map(|(r,)| Role::parse(r)).max())
}

/// The live links of albums shared with `user` (invited directly or through a group), newest
/// first. Folder links are not albums.
pub async fn shared_with(db: &SqlitePool, user: i64) -> sqlx::Result<Vec<Share>> {
    let shares: Vec<Share> = sqlx::query_as(concat!(
        "SELECT ",
        share_columns!(),
        " FROM shares
          WHERE owner_id != ?1 AND album_id IS NOT NULL AND passphrase IN (
                SELECT passphrase FROM share_members
                 WHERE (member_type = 'user' AND member_id = ?1)
                    OR (member_type = 'group' AND member_id IN
                           (SELECT group_id FROM group_members WHERE user_id = ?1)))
          ORDER BY created_at DESC, album_id DESC"
    ))
    .bind(user)
    .fetch_all(db)
    .await?;
    Ok(shares.into_iter().filter(|s| !s.expired()).collect())
}

/// The live links of `user`'s own albums ("Shared with others"), newest first.
pub async fn shared_by(db: &SqlitePool, user: i64) -> sqlx::Result<Vec<Share>> {
    let shares: Vec<Share> = sqlx::query_as(concat!(
        "SELECT ",
        share_columns!(),
        " FROM shares WHERE owner_id = ?1 AND album_id IS NOT NULL
          ORDER BY created_at DESC, album_id DESC"
    ))
    .bind(user)
    .fetch_all(db)
    .await?;
    Ok(shares.into_iter().filter(|s| !s.expired()).collect())
}

/// The live links of Shared Space folders `user` made, newest first.
pub async fn folders_shared_by(db: &SqlitePool, user: i64) -> sqlx::Result<Vec<Share>> {
    let shares: Vec<Share> = sqlx::query_as(concat!(
        "SELECT ",
        share_columns!(),
        " FROM shares WHERE owner_id = ?1 AND folder_id IS NOT NULL
          ORDER BY created_at DESC, folder_id DESC"
    ))
    .bind(user)
    .fetch_all(db)
    .await?;
    Ok(shares.into_iter().filter(|s| !s.expired()).collect())
}

/// How long a guest's session lasts.
pub const GUEST_SESSION_SECS: i64 = 24 * 3600;

pub async fn add_guest(db: &SqlitePool, sid_hash: &str, passphrase: &str) -> sqlx::Result<()> {
    let t = now();
    sqlx::query("DELETE FROM guest_sessions WHERE expires_at <= ?")
        .bind(t)
        .execute(db)
        .await?;
    sqlx::query(
        "INSERT INTO guest_sessions (sid_hash, passphrase, created_at, expires_at)
         VALUES (?, ?, ?, ?)",
    )
    .bind(sid_hash)
    .bind(passphrase)
    .bind(t)
    .bind(t + GUEST_SESSION_SECS)
    .execute(db)
    .await?;
    Ok(())
}

/// The link a guest session was opened for, while it lasts.
pub async fn guest(db: &SqlitePool, sid_hash: &str) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT passphrase FROM guest_sessions WHERE sid_hash = ? AND expires_at > ?",
    )
    .bind(sid_hash)
    .bind(now())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(p,)| p))
}

/// A group and its members' ids.
#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub members: Vec<(i64, String)>,
}

pub async fn add_group(db: &SqlitePool, name: &str) -> sqlx::Result<Option<i64>> {
    let made: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO groups (name, created_at) VALUES (?, ?)
         ON CONFLICT(name) DO NOTHING RETURNING id",
    )
    .bind(name)
    .bind(now())
    .fetch_optional(db)
    .await?;
    Ok(made.map(|(id,)| id))
}

/// Puts `user` in `group` (`add`) or takes them out; false when either does not exist.
pub async fn group_member(
    db: &SqlitePool,
    group: &str,
    user: &str,
    add: bool,
) -> sqlx::Result<bool> {
    let ids: Option<(i64, i64)> =
        sqlx::query_as("SELECT g.id, u.id FROM groups g, users u WHERE g.name = ? AND u.name = ?")
            .bind(group)
            .bind(user)
            .fetch_optional(db)
            .await?;
    let Some((g, u)) = ids else {
        return Ok(false);
    };
    let sql = if add {
        "INSERT OR IGNORE INTO group_members (group_id, user_id) VALUES (?, ?)"
    } else {
        "DELETE FROM group_members WHERE group_id = ? AND user_id = ?"
    };
    sqlx::query(sql).bind(g).bind(u).execute(db).await?;
    Ok(true)
}

pub async fn groups(db: &SqlitePool) -> sqlx::Result<Vec<Group>> {
    let rows: Vec<(i64, String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT g.id, g.name, u.id, u.name FROM groups g
           LEFT JOIN group_members m ON m.group_id = g.id
           LEFT JOIN users u ON u.id = m.user_id
          ORDER BY g.name, u.name",
    )
    .fetch_all(db)
    .await?;
    let mut out: Vec<Group> = Vec::new();
    for (id, name, uid, uname) in rows {
        if out.last().is_none_or(|g| g.id != id) {
            out.push(Group {
                id,
                name,
                members: Vec::new(),
            });
        }
        if let (Some(uid), Some(uname), Some(g)) = (uid, uname, out.last_mut()) {
            g.members.push((uid, uname));
        }
    }
    Ok(out)
}
