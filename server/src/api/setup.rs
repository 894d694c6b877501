//! `SYNO.Shoebox.Setup`, Shoebox's own extension: the portal's first run. While the server has
//! no account at all, anyone who reaches it may create the first one, an administrator (as
//! `shoebox user add NAME --admin` does); once any account exists, `create_admin` is refused and
//! `get` says so ([`crate::services::users::create_first_admin`]).

use serde::Serialize;

use super::Call;
use super::error::{ApiError, ApiResult};
use super::reply::Reply;
use crate::services::users;
use shoebox_catalog::users::UserId;

/// `get`'s answer.
#[derive(Serialize)]
struct SetupState {
    needs_admin: bool,
}

/// `create_admin`'s answer.
#[derive(Serialize)]
struct Created {
    id: UserId,
    name: String,
}

/// `get` → `{"needs_admin": bool}`: whether the server still has no account.
pub async fn get(call: Call) -> ApiResult {
    let needs_admin = users::needs_admin(&call.state).await?;
    Ok(Reply::data(SetupState { needs_admin }))
}

/// `create_admin` (`account`, `passwd`, both taken exactly as sent, like sign-in's) →
/// `{"id", "name"}`; 105 once any account exists, 120 for a name or password that `shoebox user
/// add` would refuse.
pub async fn create_admin(call: Call) -> ApiResult {
    let account = call
        .params
        .raw("account")
        .filter(|a| !a.is_empty())
        .ok_or(ApiError::MissingParam("account"))?;
    let passwd = call
        .params
        .raw("passwd")
        .ok_or(ApiError::MissingParam("passwd"))?;
    let (id, name) = users::create_first_admin(&call.state, account, passwd).await?;
    Ok(Reply::data(Created { id, name }))
}
