//! Sharing as policy: what a share link the call names or holds reaches ([`Shared::of`],
//! [`via_link`]), guests of share links and their sessions, and what a link's info shows
//! ([`sharing_info`]).

use shoebox_catalog::albums::{self, AlbumRow};
use shoebox_catalog::library::ItemFilter;
use shoebox_catalog::sessions::hash_sid;
use shoebox_catalog::shares::{self, Role, Share};
use shoebox_catalog::users;

use super::sight::{Sight, album_items};
use crate::protocol::LinkVisit;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::wire::sharing::{Owner, Permission, SharedFolder, SharingInfo};

pub use crate::cookies::GUEST_COOKIE;

/// The passphrase guest session `sid` was opened for.
async fn guest_of_sid(state: &AppState, sid: Option<&str>) -> ApiResult<Option<String>> {
    match sid {
        Some(sid) => Ok(shares::guest(&state.db, &hash_sid(sid)).await?),
        None => Ok(None),
    }
}

/// A shared album as one caller reaches it through its link.
pub struct Shared {
    pub share: Share,
    /// The album shared (`None` for a folder link).
    pub album: Option<AlbumRow>,
    pub role: Role,
    /// The album's items as its owner sees them, or the folder's and those below it.
    pub items: ItemFilter,
    /// For a folder link: the Shared Space as the link shows it (its folder as the root).
    pub reach: Option<crate::services::access::Reach>,
    /// For an album link: what its owner sees now.
    sight: Option<Sight>,
}

impl Shared {
    /// The album behind the link the call names, if the caller may open it: a guest whose
    /// session is for this link, or a signed-in user who owns it, is invited, or holds a public
    /// link (with a password: who has also opened a guest session of it, [`access::link_role`]).
    /// Anything else (no such link, expired, private and not invited, user sharing switched
    /// off) is 642, as if it never existed.
    ///
    /// [`access::link_role`]: crate::services::access::link_role
    pub async fn of(state: &AppState, visit: &LinkVisit) -> ApiResult<Option<Shared>> {
        let passphrase = match (&visit.guest, visit.named.clone()) {
            (Some(guest), Some(named)) if *guest != named => return Err(ApiError::NotFound),
            (Some(guest), _) => guest.clone(),
            (None, Some(named)) => named,
            (None, None) => return Ok(None),
        };
        if !crate::services::settings::user_sharing_enabled(state).await? {
            return Err(ApiError::NotFound);
        }
        let db = &state.db;
        let share = shares::live(db, &passphrase)
            .await?
            .ok_or(ApiError::NotFound)?;
        let invited = match visit.user {
            Some(user) => shares::invited_role(db, &share, user).await?,
            None => None,
        };
        // A guest session is opened for one link, with its password if it has one.
        let password_given = match &visit.guest {
            Some(guest) => *guest == share.passphrase,
            None => {
                share.password_hash.is_some()
                    && guest_of_sid(state, visit.guest_sid.as_deref())
                        .await?
                        .as_deref()
                        == Some(share.passphrase.as_str())
            }
        };
        let role = crate::services::access::link_role(
            invited,
            share.public_role(),
            share.password_hash.is_some(),
            password_given,
        )
        .ok_or(ApiError::NotFound)?;
        // Album links through the Personal Space's APIs, folder links through the Shared
        // Space's.
        let (album, items, reach, sight) = match (share.album_id, share.folder_id, visit.team) {
            (Some(album), None, false) => {
                let album = albums::get(db, share.owner_id, album)
                    .await?
                    .ok_or(ApiError::NotFound)?;
                let sight = owner_sight(state, share.owner_id).await?;
                let items = album_items(state, &sight, &album, false).await?;
                (Some(album), items, None, Some(sight))
            }
            (None, Some(folder), true) => {
                let reach = owner_team_reach(state, share.owner_id).await?;
                let folder = reach.folder(state, folder).await?;
                let reach = reach
                    .through_link(state, &folder, role, visit.user.unwrap_or(0))
                    .await?;
                let items = reach.items_below(state, &folder).await?;
                (None, items, Some(reach), None)
            }
            _ => return Err(ApiError::NotFound),
        };
        Ok(Some(Shared {
            share,
            album,
            role,
            items,
            reach,
            sight,
        }))
    }
}

/// The maker of a link, to see as they do; a disabled maker's links show nothing.
async fn maker(state: &AppState, owner: i64) -> ApiResult<shoebox_catalog::sessions::Session> {
    let user = users::by_id(&state.db, owner)
        .await?
        .filter(|u| u.enabled)
        .ok_or(ApiError::NotFound)?;
    Ok(shoebox_catalog::sessions::Session::acting_as(&user))
}

/// The Shared Space as the maker of a folder link sees it: the link shows what they may.
async fn owner_team_reach(
    state: &AppState,
    owner: i64,
) -> ApiResult<crate::services::access::Reach> {
    match crate::services::access::Reach::of(state, &maker(state, owner).await?, true).await {
        Err(ApiError::Forbidden) => Err(ApiError::NotFound),
        other => other,
    }
}

/// What the album's owner sees, which is what their album shows to everyone it is shared with.
pub async fn owner_sight(state: &AppState, owner: i64) -> ApiResult<Sight> {
    Sight::of(state, &maker(state, owner).await?).await
}

/// The address of a public page for a link (`sharing` or `request`), on the `host` the caller
/// used (its `Host` header; `localhost` without one).
pub fn public_link(host: Option<&str>, page: &str, passphrase: &str) -> String {
    let host = host.unwrap_or("localhost");
    format!("http://{host}/mo/{page}/{passphrase}")
}

/// The info of link `share` (`Sharing.Passphrase get`, an album's `sharing_info`), its page
/// addressed on `host`.
pub async fn sharing_info(
    state: &AppState,
    host: Option<&str>,
    share: &Share,
) -> ApiResult<SharingInfo> {
    let db = &state.db;
    let mut permission = Vec::new();
    if let Some(role) = share.public_role() {
        permission.push(Permission {
            kind: "public".into(),
            id: 0,
            name: String::new(),
            role: role.name().into(),
        });
    }
    for m in shares::members(db, &share.passphrase).await? {
        let name = if m.member_type == "user" {
            users::by_id(db, m.member_id).await?.map(|u| u.name)
        } else {
            shares::groups(db)
                .await?
                .into_iter()
                .find(|g| g.id == m.member_id)
                .map(|g| g.name)
        };
        permission.push(Permission {
            kind: m.member_type,
            id: m.member_id,
            name: name.unwrap_or_default(),
            role: m.role,
        });
    }
    Ok(SharingInfo {
        passphrase: share.passphrase.clone(),
        sharing_link: Some(public_link(host, "sharing", &share.passphrase)),
        privacy_type: share.privacy.clone(),
        is_public: share.public_role().is_some(),
        enable_password: share.password_hash.is_some(),
        expiration: share.expires_at.unwrap_or(0),
        permission,
        owner: Owner { id: share.owner_id },
    })
}

/// The links of Shared Space folders `user` made, newest first; a link whose folder has gone
/// is left out (it answers nothing).
pub async fn shared_folders(
    state: &AppState,
    host: Option<&str>,
    user: i64,
) -> ApiResult<Vec<SharedFolder>> {
    let mut list = Vec::new();
    for share in shares::folders_shared_by(&state.db, user).await? {
        let Some(folder) = share.folder_id else {
            continue;
        };
        let Some(path) = shoebox_catalog::library::folder_path_of(&state.db, folder).await? else {
            continue;
        };
        list.push(SharedFolder {
            folder_id: folder,
            folder_path: path,
            sharing_info: sharing_info(state, host, &share).await?,
        });
    }
    Ok(list)
}

/// A link's `password` as given (a share's or a Photo Request's): absent `None`, `""`
/// `Some(None)` (no password), else its argon2 hash.
pub async fn link_password(given: Option<String>) -> ApiResult<Option<Option<String>>> {
    match given {
        None => Ok(None),
        Some(p) if p.is_empty() => Ok(Some(None)),
        Some(p) if p.len() > 256 => Err(ApiError::bad("password", "at most 256 bytes")),
        Some(p) => Ok(Some(Some(
            crate::password::hash(p)
                .await
                .map_err(|e| ApiError::bad("password", e.to_string()))?,
        ))),
    }
}

impl Shared {
    /// The items of `ids` that this link reaches, as rows.
    pub async fn rows(
        &self,
        state: &AppState,
        ids: &[i64],
    ) -> ApiResult<Vec<shoebox_catalog::library::ItemRow>> {
        Ok(self
            .reached(state, ids)
            .await?
            .into_iter()
            .map(|(row, _)| row)
            .collect())
    }

    /// Whether this link reaches item `id` ([`Shared::reached`]).
    pub async fn shows(&self, state: &AppState, id: i64) -> ApiResult<bool> {
        Ok(!self.reached(state, &[id]).await?.is_empty())
    }

    /// The items of `ids` that this link reaches, each with what the link gives the caller on
    /// it ([`crate::services::access::link_rights`]: the link's role capped by its maker's rights on the
    /// item now). Every call that names items through a link comes here.
    pub async fn reached(
        &self,
        state: &AppState,
        ids: &[i64],
    ) -> ApiResult<
        Vec<(
            shoebox_catalog::library::ItemRow,
            crate::services::access::Rights,
        )>,
    > {
        let filter = ItemFilter {
            ids: Some(ids.to_vec()),
            ..self.items.clone()
        };
        let limit = i64::try_from(ids.len()).unwrap_or(i64::MAX);
        let rows = shoebox_catalog::library::list_items(
            &state.db,
            &filter,
            shoebox_catalog::library::Sort::default(),
            0,
            limit,
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        if let Some(reach) = &self.reach {
            // A folder link: its reach holds what it gives on each folder.
            for row in rows {
                let rights = reach.rights(row.folder_id);
                out.push((row, rights));
            }
        } else if let (Some(album), Some(sight)) = (&self.album, &self.sight) {
            // An album link: each item's maker is the album's owner, or the member who added
            // it.
            let found: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let added_by = albums::added_by(&state.db, album.id, &found).await?;
            // What each member who added some of them sees (a disabled member: nothing).
            let mut members: std::collections::HashMap<i64, Option<Sight>> =
                std::collections::HashMap::new();
            for &member in added_by.values() {
                if member == self.share.owner_id || members.contains_key(&member) {
                    continue;
                }
                let seen = match maker(state, member).await {
                    Ok(session) => Some(Sight::of(state, &session).await?),
                    Err(ApiError::NotFound) => None,
                    Err(e) => return Err(e),
                };
                members.insert(member, seen);
            }
            for row in rows {
                let holder = match added_by.get(&row.id) {
                    Some(member) if *member != self.share.owner_id => {
                        members.get(member).and_then(Option::as_ref)
                    }
                    _ => Some(sight),
                };
                let held = holder.map(|s| s.rights_on(&row)).unwrap_or_default();
                out.push((row, crate::services::access::link_rights(self.role, held)));
            }
        }
        out.retain(|(_, rights)| rights.view);
        Ok(out)
    }
}
