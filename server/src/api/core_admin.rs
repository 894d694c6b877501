//! DSM's account and recycle-bin APIs, as far as a photo server needs them: `SYNO.Core.User`
//! (list, get, create, set; the shape the `synology-api` client's `core_user` speaks) and
//! `SYNO.Core.RecycleBin` (get, set, clean; its `core_storage`). On a NAS, DSM's Control Panel
//! does this; Shoebox runs anywhere, so its administrators do it in the portal's settings, the
//! command line (`shoebox user …`) or any client of these APIs. docs/protocol-choices.md, "Accounts
//! and the recycle bin".
//!
//! Only administrators may call them, but `SYNO.Core.User get` of one's own account and a
//! password change of one's own account (with the current password) are open to every user
//! ([`crate::services::users`], [`crate::services::recycle_bin`]).

use serde::Serialize;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::protocol::encrypted::decrypt_params;
use crate::services::users::{self, AccountChange, NewAccount, require_admin};
use crate::services::{recycle_bin, users::Account};
use crate::wire::Empty;

/// `get`'s answer: the one account, in a list.
#[derive(Serialize)]
struct OneAccount {
    users: [Account; 1],
}

/// `clean`'s answer: how many files went.
#[derive(Serialize)]
struct Removed {
    removed: u64,
}

pub async fn user_list(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let offset = call.params.int("offset")?.unwrap_or(0);
    let limit = call.params.int("limit")?.unwrap_or(-1);
    let desc = call
        .params
        .raw("sort_direction")
        .is_some_and(|d| d.eq_ignore_ascii_case("desc"));
    let page = users::list(&call.state, me, offset, limit, desc).await?;
    Ok(Reply::data(page))
}

pub async fn user_get(call: Call) -> ApiResult {
    let me = call.user()?;
    let name = call.params.required_string("name")?;
    let account = users::get(&call.state, me, &name).await?;
    Ok(Reply::data(OneAccount { users: [account] }))
}

pub async fn user_create(mut call: Call) -> ApiResult {
    require_admin(call.user()?)?;
    decrypt_params(&mut call).await?;
    let name = call.params.required_string("name")?;
    let new = NewAccount {
        name: &name,
        password: call.params.raw("password"),
        expired: call.params.raw("expired"),
    };
    let created = users::create(&call.state, call.user()?, new).await?;
    Ok(Reply::data(created))
}

pub async fn user_set(mut call: Call) -> ApiResult {
    decrypt_params(&mut call).await?;
    let me = call.user()?;
    let name = call.params.required_string("name")?;
    let change = AccountChange {
        name: &name,
        old_password: call.params.raw("old_password"),
        new_name: call.params.raw("new_name"),
        expired: call.params.raw("expired"),
        password: call.params.raw("password"),
    };
    let changed = users::change(&call.state, me, change).await?;
    Ok(Reply::data(changed))
}

pub async fn user_delete(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let name = call.params.required_string("name")?;
    match users::delete(&call.state, me, &name).await? {}
}

// --- the recycle bin ---------------------------------------------------------------------------

pub async fn recycle_get(call: Call) -> ApiResult {
    let bins = recycle_bin::state(&call.state, call.user()?).await?;
    Ok(Reply::data(bins))
}

pub async fn recycle_set(call: Call) -> ApiResult {
    let me = call.user()?;
    require_admin(me)?;
    let enable = call
        .params
        .bool("enable")?
        .ok_or(ApiError::MissingParam("enable"))?;
    recycle_bin::set_enabled(&call.state, me, enable).await?;
    Ok(Reply::data(Empty {}))
}

/// Empties the recycle bins: every space's, or with `share_name` the Shared Space's
/// (`photo`) or the Personal Spaces' (`homes`).
pub async fn recycle_clean(call: Call) -> ApiResult {
    let share = call.params.raw("share_name").filter(|s| !s.is_empty());
    let removed = recycle_bin::empty(&call.state, call.user()?, share).await?;
    Ok(Reply::data(Removed { removed }))
}
