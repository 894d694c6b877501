//! The album object of reference §4.2, and what the album methods answer besides it: the
//! items a change could not take (`error_list`) and a condition's suggestions.

use serde::Serialize;
use serde_json::Value;

use super::item::Thumbnail;
use super::list::Empty;
use super::sharing::SharingInfo;

/// An album as every album method answers it.
#[derive(Debug, Clone, Serialize)]
pub struct Album {
    pub id: i64,
    pub name: String,
    /// `normal` or `condition`.
    #[serde(rename = "type")]
    pub kind: String,
    pub item_count: i64,
    pub owner_user_id: i64,
    /// The album's live link, `""` without one.
    pub passphrase: String,
    pub shared: bool,
    pub sort_by: String,
    pub sort_direction: String,
    pub create_time: i64,
    pub start_time: i64,
    pub end_time: i64,
    pub cant_migrate_condition: Empty,
    /// A conditional album's condition as stored; `{}` for a manual album.
    pub condition: Value,
    pub version: i64,
    /// Manual albums only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporary_shared: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze_album: Option<bool>,
    /// Only when some field was asked for.
    #[serde(skip_serializing_if = "AlbumAdditional::is_empty")]
    pub additional: AlbumAdditional,
}

/// The `additional` fields of an album; each present only when asked for.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AlbumAdditional {
    /// The cover's thumbnails; `null` for an album with nothing the caller sees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Option<Thumbnail>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing_info: Option<SharingInfo>,
}

impl AlbumAdditional {
    pub fn is_empty(&self) -> bool {
        self.thumbnail.is_none() && self.sharing_info.is_none()
    }
}

/// An item a change of an album's items could not take: `{"id", "error": {"code"}}`.
#[derive(Debug, Clone, Serialize)]
pub struct ItemError {
    pub id: i64,
    pub error: ErrorCode,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct ErrorCode {
    pub code: u32,
}

/// A tag, folder or place whose name matches what the user types into a condition.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub id: i64,
    pub name: String,
    /// `general_tag`, `folder` or `geocoding`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}
