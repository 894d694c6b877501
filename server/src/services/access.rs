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
//!
//! This file holds what a reach is and gives; services/reach.rs works it out from the
//! catalogue.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::protocol::error::{ApiError, ApiResult};
use shoebox_catalog::library::{FolderRow, ItemFilter};
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
    pub(crate) folders: Option<HashMap<i64, Rights>>,
    /// Folders shown only so that the caller can walk down to the ones they may see.
    pub(crate) passable: HashSet<i64>,
    pub(crate) all: Rights,
    /// Through a folder link: the link's folder, which stands for the root (id 0).
    pub(crate) home: Option<i64>,
}

impl Reach {
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
pub(crate) fn effective_rights(
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
