//! Share links of albums and Shared Space folders (reference §1.5, §3.12;
//! docs/protocol-choices.md "Sharing"): `SYNO.Foto.Sharing.Passphrase` and
//! `SYNO.FotoTeam.Sharing.Passphrase` (`set_shared`, `update`, `get`), `SYNO.Foto.Sharing.Misc`
//! (`list_user_group`, `list_shared_with_me_album`) and the guest sign-in
//! `SYNO.Core.Sharing.Login`; and [`Shared`], how a call that names a link (a guest's, or a
//! signed-in user's `passphrase`) reaches the album's or the folder's items.

use serde_json::{Value, json};

use super::Call;
use super::browse::album as album_api;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::protocol::listing::Additional;
use crate::services::sharing::{GUEST_COOKIE, link_password, owner_sight, public_link};
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

/// The share info of a link as `Sharing.Passphrase get` and an album's
/// `additional.sharing_info` give it.
pub async fn sharing_info(call: &Call, share: &Share) -> ApiResult<Value> {
    let db = &call.state.db;
    let mut permission = Vec::new();
    if let Some(role) = share.public_role() {
        permission.push(json!({"type": "public", "id": 0, "name": "", "role": role.name()}));
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
        permission.push(json!({"type": m.member_type, "id": m.member_id,
                                "name": name.unwrap_or_default(), "role": m.role}));
    }
    Ok(json!({
        "passphrase": share.passphrase,
        "sharing_link": public_link(
            call.headers.get("host").and_then(|v| v.to_str().ok()),
            "sharing",
            &share.passphrase,
        ),
        "privacy_type": share.privacy,
        "is_public": share.public_role().is_some(),
        "enable_password": share.password_hash.is_some(),
        "expiration": share.expires_at.unwrap_or(0),
        "permission": permission,
        "owner": {"id": share.owner_id},
    }))
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
        let reach = call.reach().await?;
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
                album_api::create_for_selection(&call, &items).await?
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
        return Ok(Reply::data(json!({"passphrase": ""})));
    }
    let passphrase = crate::state::random_token(16);
    let share = shares::enable(db, user, target, &passphrase, expires.flatten()).await?;
    if expires.is_some() && share.passphrase != passphrase {
        shares::update(db, &share.passphrase, None, None, expires).await?;
    }
    let share = shares::live(db, &share.passphrase)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut data = sharing_info(&call, &share).await?;
    match target {
        shares::Target::Album(a) => data["album_id"] = json!(a),
        shares::Target::Folder(f) => data["folder_id"] = json!(f),
    }
    Ok(Reply::data(data))
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
    Ok(Reply::data(json!({})))
}

/// `get`: the link's info, for its owner.
pub async fn get(call: Call) -> ApiResult {
    let share = owned(&call).await?;
    Ok(Reply::data(sharing_info(&call, &share).await?))
}

/// `list_user_group`: everyone an album can be shared with.
pub async fn list_user_group(call: Call) -> ApiResult {
    let me = call.user()?.user_id.0;
    let mut list = Vec::new();
    for u in users::list(&call.state.db).await? {
        if u.enabled && u.id.0 != me {
            list.push(json!({"id": u.id.0, "type": "user", "name": u.name}));
        }
    }
    for g in shares::groups(&call.state.db).await? {
        list.push(json!({"id": g.id, "type": "group", "name": g.name}));
    }
    Ok(Reply::data(json!({ "list": list })))
}

/// `list_shared_with_me_album`: the albums others shared with the caller, as they see them.
pub async fn list_shared_with_me_album(call: Call) -> ApiResult {
    let (offset, limit) = crate::protocol::listing::page(&call)?;
    let list = shared_albums_json(&call, Direction::WithMe, offset, limit).await?;
    Ok(Reply::data(json!({ "list": list })))
}

/// `Sharing.Misc list_shared_folder` (Shoebox's; the reference has no call for it): the links
/// of Shared Space folders the caller made, newest first, for "Shared with others":
/// `{"list": [{"folder_id", "folder_path", "sharing_info"}]}` (`sharing_info` as an album's).
pub async fn list_shared_folder(call: Call) -> ApiResult {
    let me = call.user()?.user_id.0;
    let mut list = Vec::new();
    for share in shares::folders_shared_by(&call.state.db, me).await? {
        let Some(folder) = share.folder_id else {
            continue;
        };
        let path = shoebox_catalog::library::folder_path_of(&call.state.db, folder).await?;
        // A link whose folder has gone answers nothing: it is not listed either.
        let Some(path) = path else {
            continue;
        };
        list.push(json!({
            "folder_id": folder,
            "folder_path": path,
            "sharing_info": sharing_info(&call, &share).await?,
        }));
    }
    Ok(Reply::data(json!({ "list": list })))
}

/// Which shared albums: shared with the caller by others, or the caller's own shared with
/// others.
#[derive(Clone, Copy)]
pub enum Direction {
    WithMe,
    ByMe,
}

async fn shared_album_links(call: &Call, direction: Direction) -> ApiResult<Vec<Share>> {
    let me = call.user()?.user_id.0;
    Ok(match direction {
        Direction::WithMe => shares::shared_with(&call.state.db, me).await?,
        Direction::ByMe => shares::shared_by(&call.state.db, me).await?,
    })
}

/// How many albums are shared that way.
pub async fn shared_album_count(call: &Call, direction: Direction) -> ApiResult<i64> {
    Ok(i64::try_from(shared_album_links(call, direction).await?.len()).unwrap_or(i64::MAX))
}

/// A page of the albums shared that way, newest link first, each as its members see it.
pub async fn shared_albums_json(
    call: &Call,
    direction: Direction,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<Value>> {
    // Who else an album is shared with is for its owner only, as `Album get` shows it.
    let additional = match direction {
        Direction::WithMe => Additional::of(call)?.without(&["sharing_info"]),
        Direction::ByMe => Additional::of(call)?,
    };
    let links = shared_album_links(call, direction).await?;
    let mut list = Vec::new();
    for share in links
        .iter()
        .skip(usize::try_from(offset).unwrap_or(0))
        .take(usize::try_from(limit).unwrap_or(0))
    {
        let Some(album_id) = share.album_id else {
            continue;
        };
        let Some(album) = albums::get(&call.state.db, share.owner_id, album_id).await? else {
            continue;
        };
        let sight = owner_sight(call, share.owner_id).await?;
        list.push(album_api::album_json(call, &sight, &album, &additional).await?);
    }
    Ok(list)
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
    Ok(Reply::data(json!({
        "sharing_sid": sid,
        "privacy_type": share.privacy,
        "policy": if share.folder_id.is_some() { "folder" } else { "album" },
        "album_name": album_name,
    }))
    .cookie(cookie))
}
