//! Working out a caller's reach from the catalogue and the settings ([`Reach::of`]), a folder
//! link's ([`Reach::through_link`]), and a call's ([`Call::reach`]): in the space its API speaks
//! for, or through the share link it names.

use std::collections::{HashMap, HashSet};

use shoebox_catalog::files::SHARED_OWNER;
use shoebox_catalog::library::{self, FolderRow, ItemFilter};
use shoebox_catalog::sessions::Session;
use shoebox_catalog::shares::Role;

use super::access::{Reach, Rights, TeamAccess, effective_rights, link_rights};
use crate::protocol::error::{ApiError, ApiResult};
use crate::state::AppState;

impl Reach {
    /// The caller's reach in the Personal Space (`team == false`) or the Shared Space.
    pub async fn of(state: &AppState, session: &Session, team: bool) -> ApiResult<Reach> {
        let user_id = session.user_id.0;
        if !team {
            return Ok(Reach {
                owner: user_id,
                team,
                user_id,
                is_admin: session.is_admin,
                folders: None,
                passable: HashSet::new(),
                all: Rights {
                    own: true,
                    ..Rights::FULL
                },
                home: None,
            });
        }
        if !crate::services::settings::team_space_enabled(state).await? {
            return Err(ApiError::Forbidden);
        }
        let access = if session.is_admin {
            TeamAccess::Full
        } else {
            TeamAccess::parse(&library::team_access(&state.db, user_id).await?)
                .unwrap_or(TeamAccess::None)
        };
        let mut reach = Reach {
            owner: SHARED_OWNER,
            team,
            user_id,
            is_admin: session.is_admin,
            folders: None,
            passable: HashSet::new(),
            all: Rights::FULL,
            home: None,
        };
        match access {
            TeamAccess::Full => {}
            TeamAccess::None => return Err(ApiError::Forbidden),
            TeamAccess::Custom => {
                let tree = library::folder_tree(&state.db, SHARED_OWNER).await?;
                let grants: HashMap<i64, Rights> = library::folder_permissions(&state.db, user_id)
                    .await?
                    .into_iter()
                    .map(|(folder, view, download, upload, manage)| {
                        (
                            folder,
                            Rights {
                                view,
                                download,
                                upload,
                                manage,
                                own: false,
                            },
                        )
                    })
                    .collect();
                let (folders, passable) = effective_rights(&tree, &grants);
                reach.folders = Some(folders);
                reach.passable = passable;
            }
        }
        Ok(reach)
    }

    /// [`Reach::of`] for thumbnail requests: a reach worked out in the last moments
    /// ([`crate::services::recent`]) is used again.
    pub async fn of_recent(state: &AppState, session: &Session, team: bool) -> ApiResult<Reach> {
        if let Some(reach) = state.recent.reach(session.user_id.0, team) {
            return Ok(reach);
        }
        let generation = state.recent.generation();
        let reach = Reach::of(state, session, team).await?;
        state.recent.keep_reach(&reach, generation);
        Ok(reach)
    }

    /// This reach (a folder link's maker's) narrowed to what the link shows: `folder` and the
    /// folders below it that the maker sees, each with the rights [`link_rights`] gives there
    /// for `role`; `folder` stands for the root. Nothing else of the space shows. The reach
    /// acts for `caller` (the signed-in user holding the link, 0 for a guest), never as its
    /// maker: it is no administrator's.
    pub async fn through_link(
        self,
        state: &AppState,
        folder: &FolderRow,
        role: Role,
        caller: i64,
    ) -> ApiResult<Reach> {
        if !self.rights(folder.id).view {
            return Err(ApiError::NotFound);
        }
        let mut folders = HashMap::new();
        for id in library::subtree(&state.db, self.owner, folder).await? {
            let rights = link_rights(role, self.rights(id));
            if rights.view {
                folders.insert(id, rights);
            }
        }
        Ok(Reach {
            folders: Some(folders),
            passable: HashSet::new(),
            all: Rights::default(),
            home: Some(folder.id),
            user_id: caller,
            is_admin: false,
            ..self
        })
    }

    /// The items of one folder and of every folder below it that the caller sees.
    pub async fn items_below(&self, state: &AppState, folder: &FolderRow) -> ApiResult<ItemFilter> {
        if !self.rights(folder.id).view {
            return Err(ApiError::NotFound);
        }
        let mut ids = library::subtree(&state.db, self.owner, folder).await?;
        ids.retain(|id| self.rights(*id).view);
        Ok(ItemFilter {
            folders: Some(ids),
            ..ItemFilter::space(self.owner)
        })
    }

    /// A folder of this space by id (0 is the root), if the caller sees it.
    pub async fn folder(&self, state: &AppState, id: i64) -> ApiResult<FolderRow> {
        let folder = if let (0, Some(home)) = (id, self.home) {
            library::folder(&state.db, self.owner, home)
                .await?
                .ok_or(ApiError::NotFound)?
        } else if id == 0 {
            library::root_folder(&state.db, self.owner).await?
        } else {
            library::folder(&state.db, self.owner, id)
                .await?
                .ok_or(ApiError::NotFound)?
        };
        if self.sees_folder(folder.id) {
            Ok(folder)
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// Items by id that the caller sees; any other id fails the whole call with 642.
    pub async fn items_by_ids(
        &self,
        state: &AppState,
        ids: &[i64],
    ) -> ApiResult<Vec<library::ItemRow>> {
        if ids.is_empty() {
            return Err(ApiError::bad("id", "no item id"));
        }
        if ids.len() > 10_000 {
            return Err(ApiError::bad("id", "more than 10000 ids"));
        }
        let mut distinct = ids.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        let rows = library::items_by_ids(&state.db, &self.items(), &distinct).await?;
        if rows.len() != distinct.len() {
            return Err(ApiError::NotFound);
        }
        Ok(rows)
    }

    /// [`Reach::items_by_ids`], each item with the caller's rights on it.
    pub async fn items_with_rights(
        &self,
        state: &AppState,
        ids: &[i64],
    ) -> ApiResult<Vec<(library::ItemRow, super::access::Rights)>> {
        Ok(self
            .items_by_ids(state, ids)
            .await?
            .into_iter()
            .map(|row| {
                let rights = self.rights(row.folder_id);
                (row, rights)
            })
            .collect())
    }
}
