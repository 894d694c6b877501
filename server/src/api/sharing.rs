//! Share links of albums and Shared Space folders (reference §1.5, §3.12;
//! docs/protocol-choices.md "Sharing"): `SYNO.Foto.Sharing.Passphrase` and
//! `SYNO.FotoTeam.Sharing.Passphrase` (`set_shared`, `update`, `get`), `SYNO.Foto.Sharing.Misc`
//! (`list_user_group`, `list_shared_with_me_album`) and the guest sign-in
//! `SYNO.Core.Sharing.Login`; and [`Shared`], how a call that names a link (a guest's, or a
//! signed-in user's `passphrase`) reaches the album's or the folder's items.

use serde::Serialize;
use serde_json::Value;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::extract;
use crate::protocol::listing::{Additional, page};
use crate::services::albums::changes::create_for_selection;
use crate::services::albums::{self as album_service, AlbumView, Direction};
use crate::services::sharing::{GUEST_COOKIE, link_password, shared_folders, sharing_info};
use crate::wire::list::{Empty, List};
use crate::wire::sharing::SharingInfo;
use shoebox_catalog::albums;
use shoebox_catalog::sessions::hash_sid;
use shoebox_catalog::shares::{self, Role, Share};
use shoebox_catalog::users;

/// `expiration`: Unix seconds, 0 for never; a time already past is refused.
fn expiration(call: &Call) -> ApiResult<Option<Option<i64>>> {
    match call.params.int("expiration")? {
        None => Ok(None),
        Some(0) => Ok(Some(None)),
        Some(t) if t > shoebox_catalog::now() => Ok(Some(Some(t))),
        Some(_) => Err(ApiError::bad(
            "expiration",
            "a time to come, or 0 for never",
        )),
    }
}

/// The host the caller used, which links' pages are addressed on.
fn host(call: &Call) -> Option<&str> {
    call.headers.get("host").and_then(|v| v.to_str().ok())
}

/// `set_shared`'s answer: the link's info and what it shares.
#[derive(Serialize)]
struct Enabled {
    #[serde(flatten)]
    info: SharingInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    album_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    folder_id: Option<i64>,
}

/// `set_shared`'s answer when a link ends: no passphrase.
#[derive(Serialize)]
struct Disabled {
    passphrase: &'static str,
}

/// `set_shared`: through `SYNO.Foto.*`, `policy` `album` (the default) and `album_id` (an album
/// of the caller's), or `policy` `item` and `item_id` [ids] (optional `name`): a selection of
/// photos shared as a new album; through `SYNO.FotoTeam.*`, `policy` `folder` and `folder_id` (a Shared
/// Space folder the caller may manage). `enabled` (default true), `expiration`. Enabling makes
/// a private link, or answers the one there; disabling ends it (members, guests, and for an
/// album the photos others added go).
pub async fn set_shared(call: Call) -> ApiResult {
    let user = call.user()?.user_id.0;
    let db = &call.state.db;
    // Ending a link is always allowed; making one only while user sharing is on.
    if call.params.bool("enabled")? != Some(false) {
        crate::services::settings::require_user_sharing(&call.state).await?;
    }
    // Checked first: a selection's album is made only for a call that is otherwise sound.
    let expires = expiration(&call)?;
    let target = if call.team() {
        match call.params.string("policy").as_deref() {
            None | Some("folder") => {}
            Some(_) => return Err(ApiError::bad("policy", "folder")),
        }
        let id = call
            .params
            .int("folder_id")?
            .ok_or(ApiError::MissingParam("folder_id"))?;
        let reach = extract::reach(&call).await?;
        let folder = reach.folder(&call.state, id).await?;
        if !reach.rights(folder.id).manage {
            return Err(ApiError::Forbidden);
        }
        shares::Target::Folder(folder.id)
    } else {
        let album = match call.params.string("policy").as_deref() {
            None | Some("album") => {
                let id = call
                    .params
                    .int("album_id")?
                    .ok_or(ApiError::MissingParam("album_id"))?;
                albums::get(db, user, id).await?.ok_or(ApiError::NotFound)?
            }
            // A selection of photos, shared as a new album of its own in the same call.
            Some("item") => {
                if call.params.bool("enabled")? == Some(false) {
                    return Err(ApiError::bad("enabled", "a new share of items is enabled"));
                }
                let items = call
                    .params
                    .int_list("item_id")?
                    .ok_or(ApiError::MissingParam("item_id"))?;
                let name = call.params.string("name");
                create_for_selection(&call.state, call.user()?, name.as_deref(), &items).await?
            }
            Some(_) => return Err(ApiError::bad("policy", "album or item")),
        };
        shares::Target::Album(album.id)
    };
    let enabled = call.params.bool("enabled")?.unwrap_or(true);
    if !enabled {
        match target {
            shares::Target::Album(a) => shares::disable(db, a).await?,
            shares::Target::Folder(f) => shares::disable_folder(db, f).await?,
        };
        return Ok(Reply::data(Disabled { passphrase: "" }));
    }
    let passphrase = crate::state::random_token(16);
    let share = shares::enable(db, user, target, &passphrase, expires.flatten()).await?;
    if expires.is_some() && share.passphrase != passphrase {
        shares::update(db, &share.passphrase, None, None, expires).await?;
    }
    let share = shares::live(db, &share.passphrase)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (album_id, folder_id) = match target {
        shares::Target::Album(a) => (Some(a), None),
        shares::Target::Folder(f) => (None, Some(f)),
    };
    Ok(Reply::data(Enabled {
        info: sharing_info(&call.state, host(&call), &share).await?,
        album_id,
        folder_id,
    }))
}

/// The link `passphrase` of an album the caller owns (managers share, owners change links).
async fn owned(call: &Call) -> ApiResult<Share> {
    let user = call.user()?.user_id.0;
    let passphrase = call
        .params
        .string("passphrase")
        .ok_or(ApiError::MissingParam("passphrase"))?;
    let share = shares::live(&call.state.db, &passphrase)
        .await?
        .ok_or(ApiError::NotFound)?;
    match shares::role_of(&call.state.db, &share, user).await? {
        _ if share.owner_id == user => Ok(share),
        Some(_) => Err(ApiError::Forbidden),
        None => Err(ApiError::NotFound),
    }
}

/// `update`: `passphrase`; `expiration` (0: never); `password` (text, "" removes it);
/// `permission`, a JSON list of `{"action": "update"|"delete", "role", "member": {"type":
/// "public"|"user"|"group", "id"}}`.
pub async fn update(call: Call) -> ApiResult {
    let share = owned(&call).await?;
    crate::services::settings::require_user_sharing(&call.state).await?;
    let db = &call.state.db;
    let expires = expiration(&call)?;
    let password = link_password(call.params.string("password")).await?;
    let mut privacy = None;
    let mut members = Vec::new();
    if let Some(list) = call.params.json("permission")? {
        let Value::Array(list) = list else {
            return Err(ApiError::bad("permission", "a list of changes"));
        };
        for (n, change) in list.iter().enumerate() {
            let bad = |why: &str| ApiError::bad("permission", format!("entry {n}: {why}"));
            let remove = match change["action"].as_str() {
                Some("update" | "add") => false,
                Some("delete") => true,
                _ => return Err(bad("action is update or delete")),
            };
            let role = if remove {
                None
            } else {
                Some(
                    change["role"]
                        .as_str()
                        .and_then(Role::parse)
                        .ok_or_else(|| bad("role is view, download, upload or manage"))?,
                )
            };
            let member = &change["member"];
            match member["type"].as_str() {
                Some("public") => {
                    privacy = Some(match role {
                        None => "private",
                        Some(Role::View) => "public-view",
                        Some(Role::Download) => "public-download",
                        Some(_) => return Err(bad("anyone with the link may view or download")),
                    });
                }
                Some(kind @ ("user" | "group")) => {
                    let id = member["id"].as_i64().ok_or_else(|| bad("member id"))?;
                    let exists = if kind == "user" {
                        users::by_id(db, id).await?.is_some()
                    } else {
                        shares::groups(db).await?.iter().any(|g| g.id == id)
                    };
                    if !exists {
                        return Err(bad("no such member"));
                    }
                    if kind == "user" && id == share.owner_id {
                        return Err(bad("the owner is not invited to their own album"));
                    }
                    members.push((kind.to_owned(), id, role));
                }
                _ => return Err(bad("member type is public, user or group")),
            }
        }
    }
    shares::update(db, &share.passphrase, privacy, password, expires).await?;
    for (kind, id, role) in members {
        shares::set_member(db, &share.passphrase, &kind, id, role).await?;
    }
    Ok(Reply::data(Empty {}))
}

/// `get`: the link's info, for its owner.
pub async fn get(call: Call) -> ApiResult {
    let share = owned(&call).await?;
    Ok(Reply::data(
        sharing_info(&call.state, host(&call), &share).await?,
    ))
}

/// Someone an album can be shared with.
#[derive(Serialize)]
struct Grantee {
    id: i64,
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
}

/// `list_user_group`: everyone an album can be shared with.
pub async fn list_user_group(call: Call) -> ApiResult {
    let me = call.user()?.user_id.0;
    let mut list = Vec::new();
    for u in users::list(&call.state.db).await? {
        if u.enabled && u.id.0 != me {
            list.push(Grantee {
                id: u.id.0,
                kind: "user",
                name: u.name,
            });
        }
    }
    for g in shares::groups(&call.state.db).await? {
        list.push(Grantee {
            id: g.id,
            kind: "group",
            name: g.name,
        });
    }
    Ok(Reply::data(List::of(list)))
}

/// `list_shared_with_me_album`: the albums others shared with the caller, as they see them.
pub async fn list_shared_with_me_album(call: Call) -> ApiResult {
    let page = page(&call)?;
    let view = AlbumView::new(Additional::of(&call)?, &call.headers);
    let me = call.user()?.user_id.0;
    let list = album_service::shared_page(&call.state, &view, me, Direction::WithMe, page).await?;
    Ok(Reply::data(List::of(list)))
}

/// `Sharing.Misc list_shared_folder` (Shoebox's; the reference has no call for it): the links
/// of Shared Space folders the caller made, newest first, for "Shared with others":
/// `{"list": [{"folder_id", "folder_path", "sharing_info"}]}` (`sharing_info` as an album's).
pub async fn list_shared_folder(call: Call) -> ApiResult {
    let me = call.user()?.user_id.0;
    let list = shared_folders(&call.state, host(&call), me).await?;
    Ok(Reply::data(List::of(list)))
}

/// A guest's session of a link, as `SYNO.Core.Sharing.Login login` answers it.
#[derive(Serialize)]
struct GuestSession {
    sharing_sid: String,
    privacy_type: String,
    /// `album` or `folder`.
    policy: &'static str,
    album_name: String,
}

/// `SYNO.Core.Sharing.Login login`: `sharing_id` (the passphrase) and, for a link with a
/// password, `password`. Opens a guest session (cookie `sharing_sid`) for a public link;
/// failed passwords count against the address like failed sign-ins.
pub async fn guest_login(call: Call) -> ApiResult {
    if call.state.throttle.is_blocked(call.client_ip) {
        return Err(ApiError::IpBlocked);
    }
    let passphrase = call
        .params
        .string("sharing_id")
        .or_else(|| call.params.string("passphrase"))
        .ok_or(ApiError::MissingParam("sharing_id"))?;
    if !crate::services::settings::user_sharing_enabled(&call.state).await? {
        return Err(ApiError::NotFound);
    }
    let share = shares::live(&call.state.db, &passphrase)
        .await?
        .filter(|s| s.public_role().is_some())
        .ok_or(ApiError::NotFound)?;
    if let Some(hash) = &share.password_hash {
        let link = crate::throttle::Target::Link(&share.passphrase);
        if call.state.throttle.is_blocked_for(call.client_ip, link) {
            return Err(ApiError::IpBlocked);
        }
        let given = call.params.string("password").unwrap_or_default();
        if !crate::password::verify(given, Some(hash.clone())).await {
            call.state.throttle.record_failure_for(call.client_ip, link);
            return Err(ApiError::WrongCredentials);
        }
        call.state.throttle.record_success(link);
    }
    let sid = crate::state::random_token(24);
    shares::add_guest(&call.state.db, &hash_sid(&sid), &share.passphrase).await?;
    let cookie = crate::cookies::set_cookie(
        call.https,
        GUEST_COOKIE,
        &sid,
        Some(shares::GUEST_SESSION_SECS),
    );
    let album_name = match (share.album_id, share.folder_id) {
        (Some(album), _) => albums::get(&call.state.db, share.owner_id, album)
            .await?
            .map(|a| a.name)
            .unwrap_or_default(),
        (None, Some(folder)) => {
            let path = shoebox_catalog::library::folder_path_of(&call.state.db, folder).await?;
            path.map(|p| p.rsplit('/').next().unwrap_or("").to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "Shared Space".to_owned())
        }
        (None, None) => String::new(),
    };
    Ok(Reply::data(GuestSession {
        sharing_sid: sid,
        privacy_type: share.privacy,
        policy: if share.folder_id.is_some() {
            "folder"
        } else {
            "album"
        },
        album_name,
    })
    .cookie(cookie))
}
