//! A share link's info (reference §3.12) as `Sharing.Passphrase` answers it and an album's
//! `additional.sharing_info` and `Sharing.Misc list_shared_folder` carry it.

use serde::Serialize;

/// The info of a link, or of an album not shared ([`SharingInfo::unshared`]).
#[derive(Debug, Clone, Serialize)]
pub struct SharingInfo {
    pub passphrase: String,
    /// The link's public page; an album not shared has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sharing_link: Option<String>,
    pub privacy_type: String,
    pub is_public: bool,
    pub enable_password: bool,
    /// Unix seconds, 0 for never.
    pub expiration: i64,
    pub permission: Vec<Permission>,
    pub owner: Owner,
}

impl SharingInfo {
    /// The sharing info of an album of `owner`'s that has no live link.
    pub fn unshared(owner: i64) -> SharingInfo {
        SharingInfo {
            passphrase: String::new(),
            sharing_link: None,
            privacy_type: "private".into(),
            is_public: false,
            enable_password: false,
            expiration: 0,
            permission: Vec::new(),
            owner: Owner { id: owner },
        }
    }
}

/// Who may do what through a link: anyone holding it (`public`, id 0), a user or a group.
#[derive(Debug, Clone, Serialize)]
pub struct Permission {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: i64,
    pub name: String,
    pub role: String,
}

/// The maker of a link.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Owner {
    pub id: i64,
}

/// A Shared Space folder's link, as "Shared with others" lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SharedFolder {
    pub folder_id: i64,
    pub folder_path: String,
    pub sharing_info: SharingInfo,
}
