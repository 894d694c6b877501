//! DSM's account and recycle-bin APIs, as far as a photo server needs them: `SYNO.Core.User`
//! (list, get, create, set; the shape the `synology-api` client's `core_user` speaks) and
//! `SYNO.Core.RecycleBin` (get, set, clean; its `core_storage`). On a NAS, DSM's Control Panel
//! does this; Shoebox runs anywhere, so its administrators do it in the portal's settings, the
//! command line (`shoebox user …`) or any client of these APIs. docs/protocol-choices.md, "Accounts
//! and the recycle bin".
//!
//! Only administrators may call them, but `SYNO.Core.User get` of one's own account and a
//! password change of one's own account (with the current password) are open to every user.

use serde_json::{Value, json};

use super::Call;
use super::auth::decrypt_params;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::password;
use crate::services::recycle;
use crate::services::settings::require_admin;
use shoebox_catalog::settings;
use shoebox_catalog::users::{self, User, UserError};

/// Passwords shorter than this are refused (DSM's default policy has no minimum; the portal's
/// first-run page asks for 8).
const MIN_PASSWORD: usize = 8;

fn user_error(e: UserError, name: &str) -> ApiError {
    match e {
        UserError::BadName(_) | UserError::Exists(_) => ApiError::bad("name", e.to_string()),
        UserError::NotFound(_) => {
            tracing::debug!(name, "no such user");
            ApiError::NotFound
        }
        UserError::Db(e) => ApiError::from(e),
    }
}

/// DSM's `expired`: `"now"` for a disabled account, `"normal"` for one that signs in.
fn expired(enabled: bool) -> &'static str {
    if enabled { "normal" } else { "now" }
}

fn describe(u: &User) -> Value {
    json!({
        "name": u.name,
        "uid": u.id.0,
        "description": if u.is_admin { "Administrator" } else { "" },
        "email": "",
        "expired": expired(u.enabled),
        "passwd_never_expire": true,
        "cannot_chg_passwd": false,
        "is_admin": u.is_admin,
        "created_time": u.created_at,
    })
}

/// A new password from the call (`password`, plain over HTTPS or inside the encrypted blob):
/// its argon2 hash. Empty: `None` (DSM's `set` sends an empty one to keep the password).
async fn new_password(call: &Call) -> ApiResult<Option<String>> {
    let Some(pw) = call.params.raw("password").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    if pw.chars().count() < MIN_PASSWORD {
        return Err(ApiError::bad(
            "password",
            format!("the password needs at least {MIN_PASSWORD} characters"),
        ));
    }
    if pw.len() > 1024 {
        return Err(ApiError::bad(
            "password",
            "the password is longer than 1024 bytes",
        ));
    }
    let hash = password::hash(pw.to_owned())
        .await
        .map_err(anyhow::Error::new)?;
    Ok(Some(hash))
}

/// `expired` as enabled (`normal`) or disabled (`now`); anything else (a date) is refused:
/// Shoebox has no expiry dates.
fn parse_expired(call: &Call) -> ApiResult<Option<bool>> {
    match call.params.raw("expired") {
        None | Some("") => Ok(None),
        Some("normal" | "never") => Ok(Some(true)),
        Some("now") => Ok(Some(false)),
        Some(other) => Err(ApiError::bad(
            "expired",
            format!("{other:?}: use \"normal\" (enabled) or \"now\" (disabled)"),
        )),
    }
}

pub async fn user_list(call: Call) -> ApiResult {
    require_admin(&call)?;
    let offset = call.params.int("offset")?.unwrap_or(0).max(0);
    let limit = call.params.int("limit")?.unwrap_or(-1);
    let desc = call
        .params
        .raw("sort_direction")
        .is_some_and(|d| d.eq_ignore_ascii_case("desc"));
    let mut all = users::list(&call.state.db).await?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    if desc {
        all.reverse();
    }
    let total = all.len();
    let page: Vec<Value> = all
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(describe)
        .collect();
    Ok(Reply::data(
        json!({"offset": offset, "total": total, "users": page}),
    ))
}

pub async fn user_get(call: Call) -> ApiResult {
    let me = call.user()?;
    let name = call.params.required_string("name")?;
    if !me.is_admin && name != me.user_name {
        return Err(ApiError::Forbidden);
    }
    let user = users::by_name(&call.state.db, &name)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Reply::data(json!({"users": [describe(&user)]})))
}

pub async fn user_create(mut call: Call) -> ApiResult {
    require_admin(&call)?;
    decrypt_params(&mut call).await?;
    let name = call.params.required_string("name")?;
    users::check_name(&name).map_err(|e| user_error(e, &name))?;
    if call.params.raw("password").is_none_or(str::is_empty) {
        return Err(ApiError::MissingParam("password"));
    }
    let enabled = parse_expired(&call)?.unwrap_or(true);
    let hash = new_password(&call)
        .await?
        .ok_or(ApiError::MissingParam("password"))?;
    let user = users::create(&call.state.db, &name, &hash, false)
        .await
        .map_err(|e| user_error(e, &name))?;
    if !enabled {
        users::set_enabled(&call.state.db, &name, false)
            .await
            .map_err(|e| user_error(e, &name))?;
    }
    tracing::info!(name, by = %call.user()?.user_name, "account created");
    Ok(Reply::data(json!({"name": user.name, "uid": user.id.0})))
}

pub async fn user_set(mut call: Call) -> ApiResult {
    decrypt_params(&mut call).await?;
    let me = call.user()?.clone();
    let name = call.params.required_string("name")?;
    let user = users::by_name(&call.state.db, &name)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !me.is_admin {
        // One's own password, proven by the current one (DSM's personal settings).
        if name != me.user_name {
            return Err(ApiError::Forbidden);
        }
        let old = call
            .params
            .raw("old_password")
            .ok_or(ApiError::MissingParam("old_password"))?;
        if !password::verify(old.to_owned(), Some(user.password_hash.clone())).await {
            return Err(ApiError::bad("old_password", "not the current password"));
        }
        if call.params.raw("expired").is_some_and(|e| !e.is_empty()) {
            return Err(ApiError::Forbidden);
        }
    }
    if let Some(new_name) = call.params.raw("new_name").filter(|n| !n.is_empty())
        && new_name != name
    {
        // A name is the folder of the user's photos (homes/<name>/Photos) and is in every
        // share and invitation; renaming is not offered.
        return Err(ApiError::bad(
            "new_name",
            "accounts cannot be renamed: a name is its Photos folder's",
        ));
    }
    let enabled = parse_expired(&call)?;
    if enabled == Some(false) {
        if name == me.user_name {
            return Err(ApiError::bad(
                "expired",
                "you cannot disable your own account",
            ));
        }
        if user.is_admin && user.enabled && enabled_admins(&call).await? <= 1 {
            return Err(ApiError::bad(
                "expired",
                "this is the last administrator who can sign in",
            ));
        }
    }
    let hash = new_password(&call).await?;
    if let Some(hash) = &hash {
        users::set_password(&call.state.db, &name, hash)
            .await
            .map_err(|e| user_error(e, &name))?;
    }
    if let Some(on) = enabled
        && on != user.enabled
    {
        users::set_enabled(&call.state.db, &name, on)
            .await
            .map_err(|e| user_error(e, &name))?;
        tracing::info!(name, enabled = on, by = %me.user_name, "account switched");
    }
    Ok(Reply::data(json!({"name": name, "uid": user.id.0})))
}

async fn enabled_admins(call: &Call) -> ApiResult<usize> {
    Ok(users::list(&call.state.db)
        .await?
        .iter()
        .filter(|u| u.is_admin && u.enabled)
        .count())
}

pub async fn user_delete(call: Call) -> ApiResult {
    require_admin(&call)?;
    let name = call.params.required_string("name")?;
    users::by_name(&call.state.db, &name)
        .await?
        .ok_or(ApiError::NotFound)?;
    // The account's photos, albums, shares and people hang on it; disabling keeps them all
    // and can be undone.
    Err(ApiError::bad(
        "name",
        "accounts are not deleted, so that nothing of theirs is lost: disable it (set expired=now)",
    ))
}

// --- the recycle bin ---------------------------------------------------------------------------

pub async fn recycle_get(call: Call) -> ApiResult {
    require_admin(&call)?;
    let enabled = recycle::enabled(&call.state).await?;
    let bins = recycle::bins(&call.state).await?;
    let (files, bytes) = tokio::task::spawn_blocking(move || {
        bins.iter()
            .map(|(_, dir)| recycle::usage(dir))
            .fold((0u64, 0u64), |(f, b), (f2, b2)| (f + f2, b + b2))
    })
    .await
    .map_err(anyhow::Error::new)?;
    Ok(Reply::data(json!({
        "enable": enabled,
        "files": files,
        "size": bytes,
    })))
}

pub async fn recycle_set(call: Call) -> ApiResult {
    require_admin(&call)?;
    let enable = call
        .params
        .bool("enable")?
        .ok_or(ApiError::MissingParam("enable"))?;
    settings::set(&call.state.db, recycle::SETTING, &json!(enable)).await?;
    tracing::info!(enable, by = %call.user()?.user_name, "recycle bin switched");
    Ok(Reply::data(json!({})))
}

/// Empties the recycle bins: every space's, or with `share_name` the Shared Space's
/// (`photo`) or the Personal Spaces' (`homes`).
pub async fn recycle_clean(call: Call) -> ApiResult {
    require_admin(&call)?;
    let share = call.params.raw("share_name").filter(|s| !s.is_empty());
    if let Some(s) = share
        && s != "photo"
        && s != "homes"
    {
        return Err(ApiError::bad(
            "share_name",
            format!("{s:?}: the shares are \"photo\" (Shared Space) and \"homes\""),
        ));
    }
    let bins: Vec<_> = recycle::bins(&call.state)
        .await?
        .into_iter()
        .filter(|(owner, _)| match share {
            None => true,
            Some("photo") => *owner == shoebox_catalog::files::SHARED_OWNER,
            Some(_) => *owner != shoebox_catalog::files::SHARED_OWNER,
        })
        .collect();
    let removed = tokio::task::spawn_blocking(move || {
        let mut removed = 0u64;
        for (_, dir) in &bins {
            removed += recycle::empty(dir)?;
        }
        anyhow::Ok(removed)
    })
    .await
    .map_err(anyhow::Error::new)??;
    tracing::info!(files = removed, by = %call.user()?.user_name, "recycle bins emptied");
    Ok(Reply::data(json!({"removed": removed})))
}
