//! Who may see and do what in which space (reference §3, seed "Shared Space").
//!
//! - A Personal Space belongs to its user alone: full rights, nobody else sees it.
//! - The Shared Space: administrators and users with `full` access have every right on every
//!   folder; users with `custom` access have the rights a `folder_permissions` row gives on a
//!   folder and everything below it (down to the next folder with a row of its own); users with
//!   `none` access do not see the Shared Space at all.
//!
//! Items and folders outside the caller's reach answer exactly as ids that do not exist (642),
//! so ids cannot be probed.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use shoebox_catalog::files::SHARED_OWNER;

use crate::api::error::{ApiError, ApiResult};
use crate::state::AppState;
use shoebox_catalog::library::{self, FolderRow, ItemFilter};
use shoebox_catalog::sessions::Session;
use shoebox_catalog::shares::Role;

/// What a user may do in a folder (`additional.access_permission` of a folder).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rights {
    pub view: bool,
    pub download: bool,
    pub upload: bool,
    pub manage: bool,
    /// The caller owns the space (their Personal Space).
    pub own: bool,
}

impl Rights {
    pub const FULL: Rights = Rights {
        view: true,
        download: true,
        upload: true,
        manage: true,
        own: false,
    };
}

/// Shared Space access levels (`users.team_access`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAccess {
    Full,
    Custom,
    None,
}

impl TeamAccess {
    pub fn parse(s: &str) -> Option<TeamAccess> {
        Some(match s {
            "full" => TeamAccess::Full,
            "custom" => TeamAccess::Custom,
            "none" => TeamAccess::None,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TeamAccess::Full => "full",
            TeamAccess::Custom => "custom",
            TeamAccess::None => "none",
        }
    }
}

/// The caller's reach in one space.
#[derive(Debug, Clone)]
pub struct Reach {
    pub owner: i64,
    pub team: bool,
    pub user_id: i64,
    pub is_admin: bool,
    /// `None`: `all` rights on every folder. `Some`: rights per folder that has any.
    folders: Option<HashMap<i64, Rights>>,
    /// Folders shown only so that the caller can walk down to the ones they may see.
    passable: HashSet<i64>,
    all: Rights,
    /// Through a folder link: the link's folder, which stands for the root (id 0).
    home: Option<i64>,
}

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
    /// ([`crate::recent`]) is used again.
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

    /// The rights on one folder of this space.
    pub fn rights(&self, folder_id: i64) -> Rights {
        match &self.folders {
            None => self.all,
            Some(map) => map.get(&folder_id).copied().unwrap_or_default(),
        }
    }

    /// Whether the folder shows up at all (its items, or as a way down to them).
    pub fn sees_folder(&self, folder_id: i64) -> bool {
        self.rights(folder_id).view || self.passable.contains(&folder_id)
    }

    /// The folders whose items the caller sees, or `None` for all of them.
    pub fn viewable_folders(&self) -> Option<Vec<i64>> {
        self.folders.as_ref().map(|map| {
            let mut ids: Vec<i64> = map
                .iter()
                .filter(|(_, r)| r.view)
                .map(|(id, _)| *id)
                .collect();
            ids.sort_unstable();
            ids
        })
    }

    /// The folders the caller sees in a listing, or `None` for all of them.
    pub fn listable_folders(&self) -> Option<Vec<i64>> {
        self.viewable_folders().map(|mut ids| {
            ids.extend(self.passable.iter().copied());
            ids.sort_unstable();
            ids.dedup();
            ids
        })
    }

    /// The items the caller sees in this space.
    pub fn items(&self) -> ItemFilter {
        ItemFilter {
            folders: self.viewable_folders(),
            ..ItemFilter::space(self.owner)
        }
    }

    /// The items of one folder, if the caller sees them.
    pub fn items_in(&self, folder: &FolderRow) -> ApiResult<ItemFilter> {
        if !self.rights(folder.id).view {
            return Err(ApiError::NotFound);
        }
        Ok(ItemFilter {
            folders: Some(vec![folder.id]),
            ..ItemFilter::space(self.owner)
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

    /// Fails with 105 unless the caller may change things in every folder of `items`.
    pub fn require_manage(&self, folders: impl IntoIterator<Item = i64>) -> ApiResult<()> {
        if folders.into_iter().all(|f| self.rights(f).manage) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// What a share link gives its holder on one item: the link's `role`, capped by `maker`, the
/// rights the link's maker holds on that item now (for a photo a member added to a shared
/// album, that member is its maker). A link never gives more than its maker holds: an item
/// the maker no longer sees is not reached through it at all, and its original is
/// downloaded (Download, Streaming of an original or of a Motion Photo's video) only when the
/// link's role allows downloads and the maker may download it. A link gives no right to
/// upload or manage items; what a member may do to the album itself is its role's. Every
/// access through a link comes here: [`Reach::through_link`] for folder links,
/// `api::sharing::Shared::rows` for the items a call names (docs/security.md).
pub fn link_rights(role: Role, maker: Rights) -> Rights {
    Rights {
        view: maker.view,
        download: maker.view && maker.download && role.downloads(),
        ..Rights::default()
    }
}

/// The role a caller holds on a link: `invited` is theirs as its owner or an invitee (a user
/// or a group member), `public` the link's role for anyone holding it. A link's password
/// applies to everyone who is neither its owner nor invited, signed in or not: without
/// `password_given` (a guest session of this link, opened with `SYNO.Core.Sharing.Login`)
/// they reach nothing through a link with a password.
pub fn link_role(
    invited: Option<Role>,
    public: Option<Role>,
    has_password: bool,
    password_given: bool,
) -> Option<Role> {
    let public = public.filter(|_| !has_password || password_given);
    invited.into_iter().chain(public).max()
}

/// Custom access worked out over the folder tree: each folder takes the rights of the nearest
/// folder at or above it that has a grant. Also returns the ancestors of every viewable folder,
/// which are shown (without their items) so that the way down exists.
fn effective_rights(
    tree: &[(i64, Option<i64>)],
    grants: &HashMap<i64, Rights>,
) -> (HashMap<i64, Rights>, HashSet<i64>) {
    let parent: HashMap<i64, Option<i64>> = tree.iter().copied().collect();
    let mut rights: HashMap<i64, Rights> = HashMap::new();
    for &(id, _) in tree {
        // Walk up until a folder with a grant or a known answer; then fill the path.
        let mut path = Vec::new();
        let mut at = Some(id);
        let mut found = Rights::default();
        while let Some(folder) = at {
            if let Some(r) = rights.get(&folder) {
                found = *r;
                break;
            }
            if let Some(r) = grants.get(&folder) {
                found = *r;
                path.push(folder);
                break;
            }
            path.push(folder);
            at = parent.get(&folder).copied().flatten();
            if path.len() > tree.len() {
                break; // a cycle cannot happen in a tree; never loop on bad data
            }
        }
        for folder in path {
            rights.insert(folder, found);
        }
    }
    let mut passable = HashSet::new();
    for (&id, r) in &rights {
        if r.view {
            let mut at = parent.get(&id).copied().flatten();
            while let Some(folder) = at {
                if !passable.insert(folder) {
                    break;
                }
                at = parent.get(&folder).copied().flatten();
            }
        }
    }
    rights.retain(|_, r| *r != Rights::default());
    passable.retain(|f| !rights.get(f).is_some_and(|r| r.view));
    (rights, passable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_inherited_down_to_the_next_grant() {
        // 1 = /, 2 = /a, 3 = /a/b, 4 = /a/b/c, 5 = /z
        let tree = vec![
            (1, None),
            (2, Some(1)),
            (3, Some(2)),
            (4, Some(3)),
            (5, Some(1)),
        ];
        let view = Rights {
            view: true,
            ..Rights::default()
        };
        let grants = HashMap::from([(2, view), (4, Rights::default())]);
        let (rights, passable) = effective_rights(&tree, &grants);
        assert!(rights[&2].view && rights[&3].view);
        assert!(
            !rights.contains_key(&4),
            "a grant without rights stops the inheritance"
        );
        assert!(!rights.contains_key(&5) && !rights.contains_key(&1));
        assert_eq!(passable, HashSet::from([1]));
    }

    #[test]
    fn a_link_never_gives_more_than_its_maker_holds() {
        let view = Rights {
            view: true,
            ..Rights::default()
        };
        let every = Rights {
            own: true,
            ..Rights::FULL
        };
        for role in [Role::View, Role::Download, Role::Upload, Role::Manage] {
            let given = link_rights(role, every);
            assert!(given.view && given.download == role.downloads());
            assert!(!given.upload && !given.manage && !given.own, "{role:?}");
            assert_eq!(link_rights(role, view), view, "a viewer's link: {role:?}");
            assert_eq!(link_rights(role, Rights::default()), Rights::default());
        }
        let download_only = Rights {
            download: true,
            ..Rights::default()
        };
        assert_eq!(link_rights(Role::Manage, download_only), Rights::default());
    }

    #[test]
    fn a_links_password_holds_for_all_but_its_owner_and_invitees() {
        let public = Some(Role::Download);
        assert_eq!(link_role(None, public, true, false), None);
        assert_eq!(link_role(None, public, true, true), public);
        assert_eq!(link_role(None, public, false, false), public);
        assert_eq!(
            link_role(Some(Role::View), public, true, false),
            Some(Role::View)
        );
        assert_eq!(
            link_role(Some(Role::View), public, true, true),
            Some(Role::Download)
        );
        assert_eq!(link_role(None, None, false, true), None);
    }
}
