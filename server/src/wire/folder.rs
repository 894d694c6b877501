//! The folder object of reference §4.3.

use serde::{Serialize, Serializer};

use super::item::Thumbnail;

/// A folder; `name` is its full path from the space's root.
#[derive(Debug, Serialize)]
pub struct Folder {
    pub id: i64,
    pub name: String,
    pub owner_user_id: i64,
    /// The parent's id; the root names itself.
    pub parent: i64,
    pub passphrase: &'static str,
    pub shared: bool,
    pub sort_by: &'static str,
    pub sort_direction: &'static str,
    pub additional: FolderAdditional,
}

#[derive(Debug, Default, Serialize)]
pub struct FolderAdditional {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_permission: Option<AccessPermission>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Cover>,
}

/// A folder's cover: its thumbnail object, or `[]` when nothing in it may be shown (as a real
/// NAS answers an empty folder).
#[derive(Debug)]
pub struct Cover(pub Option<Thumbnail>);

impl Serialize for Cover {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(thumbnail) => thumbnail.serialize(s),
            None => [(); 0].serialize(s),
        }
    }
}

/// What the caller may do in a folder.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AccessPermission {
    pub view: bool,
    pub download: bool,
    pub upload: bool,
    pub manage: bool,
    /// The caller owns the space (their Personal Space).
    pub own: bool,
}
