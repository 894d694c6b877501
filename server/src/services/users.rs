//! Accounts as administrators and their owners manage them (`SYNO.Core.User`,
//! `SYNO.Shoebox.Setup`): who may see and change which account, the password rules, and the
//! rule that the last administrator who can sign in stays able to. docs/protocol-choices.md,
//! "Accounts and the recycle bin".

use std::convert::Infallible;

use serde::Serialize;

use crate::password::{self, PasswordError};
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::sessions::Session;
use shoebox_catalog::users::{self, User, UserError, UserId};

/// Passwords shorter than this are refused (DSM's default policy has no minimum; the portal's
/// first-run page asks for 8).
const MIN_PASSWORD: usize = 8;

/// Fails with 105 unless the caller is an administrator.
pub fn require_admin(user: &Session) -> ApiResult<()> {
    if user.is_admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

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

/// An account in DSM's shape (`SYNO.Core.User`, the synology-api client's `core_user`).
#[derive(Serialize)]
pub struct Account {
    pub name: String,
    pub uid: i64,
    pub description: &'static str,
    pub email: &'static str,
    /// `"now"` for a disabled account, `"normal"` for one that signs in.
    pub expired: &'static str,
    pub passwd_never_expire: bool,
    pub cannot_chg_passwd: bool,
    pub is_admin: bool,
    pub created_time: i64,
}

impl From<User> for Account {
    fn from(u: User) -> Self {
        Self {
            uid: u.id.0,
            description: if u.is_admin { "Administrator" } else { "" },
            email: "",
            expired: if u.enabled { "normal" } else { "now" },
            passwd_never_expire: true,
            cannot_chg_passwd: false,
            is_admin: u.is_admin,
            created_time: u.created_at,
            name: u.name,
        }
    }
}

/// A page of the accounts, by name.
#[derive(Serialize)]
pub struct AccountPage {
    pub offset: i64,
    pub total: usize,
    pub users: Vec<Account>,
}

/// The accounts from `offset` (at most `limit`; negative: all), by name, `descending` or not.
/// For administrators.
pub async fn list(
    state: &AppState,
    by: &Session,
    offset: i64,
    limit: i64,
    descending: bool,
) -> ApiResult<AccountPage> {
    require_admin(by)?;
    let offset = offset.max(0);
    let mut all = users::list(&state.db).await?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    if descending {
        all.reverse();
    }
    let total = all.len();
    let users = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(Account::from)
        .collect();
    Ok(AccountPage {
        offset,
        total,
        users,
    })
}

/// One account: any for an administrator, one's own for everybody.
pub async fn get(state: &AppState, by: &Session, name: &str) -> ApiResult<Account> {
    if !by.is_admin && name != by.user_name {
        return Err(ApiError::Forbidden);
    }
    let user = users::by_name(&state.db, name)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(user.into())
}

/// A name and id, as `create` and `set` answer.
#[derive(Serialize)]
pub struct Named {
    pub name: String,
    pub uid: i64,
}

/// `expired` as enabled (`normal`) or disabled (`now`); anything else (a date) is refused:
/// Shoebox has no expiry dates.
fn parse_expired(expired: Option<&str>) -> ApiResult<Option<bool>> {
    match expired {
        None | Some("") => Ok(None),
        Some("normal" | "never") => Ok(Some(true)),
        Some("now") => Ok(Some(false)),
        Some(other) => Err(ApiError::bad(
            "expired",
            format!("{other:?}: use \"normal\" (enabled) or \"now\" (disabled)"),
        )),
    }
}

/// A new password's argon2 hash, once it passes the rules. Empty or absent: `None` (DSM's
/// `set` sends an empty one to keep the password).
async fn new_password(password: Option<&str>) -> ApiResult<Option<String>> {
    let Some(pw) = password.filter(|p| !p.is_empty()) else {
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

/// A new account, as `create` asks for it (`expired` in DSM's words, see [`parse_expired`]).
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub password: Option<&'a str>,
    pub expired: Option<&'a str>,
}

/// Creates an account (not an administrator). For administrators.
pub async fn create(state: &AppState, by: &Session, new: NewAccount<'_>) -> ApiResult<Named> {
    require_admin(by)?;
    let name = new.name;
    users::check_name(name).map_err(|e| user_error(e, name))?;
    if new.password.is_none_or(str::is_empty) {
        return Err(ApiError::MissingParam("password"));
    }
    let enabled = parse_expired(new.expired)?.unwrap_or(true);
    let hash = new_password(new.password)
        .await?
        .ok_or(ApiError::MissingParam("password"))?;
    let user = users::create(&state.db, name, &hash, false)
        .await
        .map_err(|e| user_error(e, name))?;
    if !enabled {
        users::set_enabled(&state.db, name, false)
            .await
            .map_err(|e| user_error(e, name))?;
    }
    tracing::info!(name, by = %by.user_name, "account created");
    Ok(Named {
        name: user.name,
        uid: user.id.0,
    })
}

/// A change to an account, as `set` asks for it: a new password (empty: kept), enabled or
/// disabled (`expired`), and for someone changing their own, the current password.
pub struct AccountChange<'a> {
    pub name: &'a str,
    pub old_password: Option<&'a str>,
    pub new_name: Option<&'a str>,
    pub expired: Option<&'a str>,
    pub password: Option<&'a str>,
}

/// Changes an account. Administrators change any; others only their own password, proven by
/// the current one (DSM's personal settings). Nobody disables their own account or the last
/// administrator who can sign in; accounts are not renamed.
pub async fn change(state: &AppState, by: &Session, change: AccountChange<'_>) -> ApiResult<Named> {
    let name = change.name;
    let user = users::by_name(&state.db, name)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !by.is_admin {
        if name != by.user_name {
            return Err(ApiError::Forbidden);
        }
        let old = change
            .old_password
            .ok_or(ApiError::MissingParam("old_password"))?;
        if !password::verify(old.to_owned(), Some(user.password_hash.clone())).await {
            return Err(ApiError::bad("old_password", "not the current password"));
        }
        if change.expired.is_some_and(|e| !e.is_empty()) {
            return Err(ApiError::Forbidden);
        }
    }
    if let Some(new_name) = change.new_name.filter(|n| !n.is_empty())
        && new_name != name
    {
        // A name is the folder of the user's photos (homes/<name>/Photos) and is in every
        // share and invitation; renaming is not offered.
        return Err(ApiError::bad(
            "new_name",
            "accounts cannot be renamed: a name is its Photos folder's",
        ));
    }
    let enabled = parse_expired(change.expired)?;
    if enabled == Some(false) {
        if name == by.user_name {
            return Err(ApiError::bad(
                "expired",
                "you cannot disable your own account",
            ));
        }
        if user.is_admin && user.enabled && enabled_admins(state).await? <= 1 {
            return Err(ApiError::bad(
                "expired",
                "this is the last administrator who can sign in",
            ));
        }
    }
    if let Some(hash) = new_password(change.password).await? {
        users::set_password(&state.db, name, &hash)
            .await
            .map_err(|e| user_error(e, name))?;
    }
    if let Some(on) = enabled
        && on != user.enabled
    {
        users::set_enabled(&state.db, name, on)
            .await
            .map_err(|e| user_error(e, name))?;
        tracing::info!(name, enabled = on, by = %by.user_name, "account switched");
    }
    Ok(Named {
        name: name.to_owned(),
        uid: user.id.0,
    })
}

async fn enabled_admins(state: &AppState) -> ApiResult<usize> {
    Ok(users::list(&state.db)
        .await?
        .iter()
        .filter(|u| u.is_admin && u.enabled)
        .count())
}

/// Accounts are not deleted: the account's photos, albums, shares and people hang on it, and
/// disabling keeps them all and can be undone. Always refused: 120 for an account that
/// exists, [`ApiError::NotFound`] for one that does not. For administrators.
pub async fn delete(state: &AppState, by: &Session, name: &str) -> ApiResult<Infallible> {
    require_admin(by)?;
    users::by_name(&state.db, name)
        .await?
        .ok_or(ApiError::NotFound)?;
    Err(ApiError::bad(
        "name",
        "accounts are not deleted, so that nothing of theirs is lost: disable it (set expired=now)",
    ))
}

/// Whether the server still has no account (the portal's first run).
pub async fn needs_admin(state: &AppState) -> ApiResult<bool> {
    Ok(users::count(&state.db).await? == 0)
}

/// The first administrator, made by whoever reaches a server that has no account yet: 105 once
/// any account exists, 120 for a name or password that `shoebox user add` would refuse. The
/// check and the insert are one SQL statement, so two racing calls cannot both succeed.
pub async fn create_first_admin(
    state: &AppState,
    account: &str,
    passwd: &str,
) -> ApiResult<(UserId, String)> {
    let db = &state.db;
    // Refuse before hashing, so that a server that is set up spends no CPU on these calls.
    if users::count(db).await? > 0 {
        return Err(ApiError::Forbidden);
    }
    users::check_name(account).map_err(|e| ApiError::bad("account", e.to_string()))?;
    let hash = password::hash(passwd.to_owned())
        .await
        .map_err(|e| match e {
            PasswordError::Empty | PasswordError::TooLong => ApiError::bad("passwd", e.to_string()),
            PasswordError::Hash(_) => ApiError::Internal(anyhow::Error::new(e)),
        })?;
    match users::create_first_admin(db, account, &hash).await {
        Ok(Some(user)) => {
            tracing::info!(
                name = user.name,
                id = user.id.0,
                "first administrator created"
            );
            Ok((user.id, user.name))
        }
        Ok(None) => Err(ApiError::Forbidden),
        Err(UserError::BadName(_)) => Err(ApiError::bad("account", "not a valid user name")),
        Err(UserError::Exists(_)) => Err(ApiError::Forbidden),
        Err(UserError::NotFound(_)) => Err(ApiError::NotFound),
        Err(UserError::Db(e)) => Err(e.into()),
    }
}
