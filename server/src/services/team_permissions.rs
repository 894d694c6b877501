//! Who may do what in the Shared Space (`Setting.TeamSpace list_permission`,
//! `update_permission`; `SYNO.FotoTeam.Sharing.FolderPermission`): each user's access (`full`,
//! `custom`, `none`; administrators always `full`) and, for custom access, the grants on
//! folders, which apply on the folder and below it. For administrators.

use serde::Serialize;

use super::access::TeamAccess;
use super::users::require_admin;
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::files::SHARED_OWNER;
use shoebox_catalog::sessions::Session;
use shoebox_catalog::{library, settings};

/// One user's Shared Space access.
#[derive(Serialize)]
pub struct UserAccess {
    pub user_id: i64,
    pub name: String,
    pub is_admin: bool,
    pub access: String,
}

/// The caller's own Shared Space access (`full` for an administrator).
pub async fn access_of(state: &AppState, user: &Session) -> ApiResult<String> {
    if user.is_admin {
        Ok("full".to_owned())
    } else {
        Ok(library::team_access(&state.db, user.user_id.0).await?)
    }
}

/// Every user's Shared Space access.
pub async fn list(state: &AppState, by: &Session) -> ApiResult<Vec<UserAccess>> {
    require_admin(by)?;
    Ok(settings::team_access_list(&state.db)
        .await?
        .into_iter()
        .map(|(user_id, name, is_admin, access)| UserAccess {
            user_id,
            name,
            is_admin,
            access: if is_admin { "full".to_owned() } else { access },
        })
        .collect())
}

/// Sets users' access, all or (for an unknown user) none.
pub async fn set(state: &AppState, by: &Session, changes: &[(i64, TeamAccess)]) -> ApiResult<()> {
    require_admin(by)?;
    let changes: Vec<(i64, &str)> = changes.iter().map(|(u, a)| (*u, a.as_str())).collect();
    if !settings::set_team_access(&state.db, &changes).await? {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// A Shared Space folder id (0 = root) to its row id.
pub async fn folder(state: &AppState, id: i64) -> ApiResult<i64> {
    if id == 0 {
        return Ok(library::root_folder(&state.db, SHARED_OWNER).await?.id);
    }
    library::folder(&state.db, SHARED_OWNER, id)
        .await?
        .map(|f| f.id)
        .ok_or(ApiError::NotFound)
}

/// Who a grant is for.
#[derive(Debug, Clone, Copy)]
pub enum Grantee {
    User(i64),
    Group(i64),
}

/// One grant on a folder, as listed: `user_id` or `group_id`, and the rights.
#[derive(Serialize)]
pub struct Grant {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<i64>,
    pub view: bool,
    pub download: bool,
    pub upload: bool,
    pub manage: bool,
}

/// A grant as asked for; [`set_grants`] fills in what each right implies.
#[derive(Debug, Clone, Copy)]
pub struct GrantRequest {
    pub to: Grantee,
    pub view: bool,
    pub download: bool,
    pub upload: bool,
    pub manage: bool,
}

/// The grants on one folder (a row id, [`folder`]).
pub async fn grants(state: &AppState, by: &Session, folder: i64) -> ApiResult<Vec<Grant>> {
    require_admin(by)?;
    Ok(settings::folder_grants(&state.db, folder)
        .await?
        .into_iter()
        .map(|g| {
            let group = g.kind == "group";
            Grant {
                user_id: (!group).then_some(g.user_id),
                group_id: group.then_some(g.user_id),
                view: g.view,
                download: g.download,
                upload: g.upload,
                manage: g.manage,
            }
        })
        .collect())
}

/// Replaces the grants on the folders (row ids, [`folder`]): every folder gets the same
/// grants, all of them or (for an unknown user or group) none. Each right implies viewing;
/// managing implies the rest.
pub async fn set_grants(
    state: &AppState,
    by: &Session,
    folders: &[i64],
    grants: &[GrantRequest],
) -> ApiResult<()> {
    require_admin(by)?;
    let grants: Vec<settings::FolderGrant> = grants
        .iter()
        .map(|g| {
            let (kind, user_id) = match g.to {
                Grantee::User(id) => ("user", id),
                Grantee::Group(id) => ("group", id),
            };
            let manage = g.manage;
            let upload = manage || g.upload;
            let download = manage || g.download;
            settings::FolderGrant {
                kind: kind.to_owned(),
                user_id,
                view: manage || upload || download || g.view,
                download,
                upload,
                manage,
            }
        })
        .collect();
    if !settings::set_folder_grants(&state.db, folders, &grants).await? {
        return Err(ApiError::NotFound);
    }
    Ok(())
}
