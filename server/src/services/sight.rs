//! What a user sees in both spaces at once ([`Sight`]: albums span them), and the items an
//! album shows to whoever reads it (a conditional album's condition evaluated now).

use serde_json::Value;
use shoebox_catalog::albums::AlbumRow;
use shoebox_catalog::library::{self, ItemFilter, ItemRow};

use super::access::Reach;
use super::filters::narrow_by_fields;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::params::Params;
use crate::state::AppState;

/// The caller's reach in both spaces: the Personal Space always, the Shared Space if they have
/// any access to it. Read once per call, however many albums it answers about.
pub struct Sight {
    pub personal: Reach,
    pub team: Option<Reach>,
}

impl Sight {
    /// What the user of `session` sees.
    pub async fn of(
        state: &AppState,
        user: &shoebox_catalog::sessions::Session,
    ) -> ApiResult<Sight> {
        let personal = Reach::of(state, user, false).await?;
        let team = match Reach::of(state, user, true).await {
            Ok(reach) => Some(reach),
            Err(ApiError::Forbidden) => None,
            Err(e) => return Err(e),
        };
        Ok(Sight { personal, team })
    }

    /// What the user holds on one item: the rights of their own space, or of the Shared Space
    /// as they reach it; nothing on another user's items.
    pub fn rights_on(&self, row: &ItemRow) -> crate::services::access::Rights {
        if row.owner_id == self.personal.owner {
            return self.personal.rights(row.folder_id);
        }
        match &self.team {
            Some(team) if row.owner_id == team.owner => team.rights(row.folder_id),
            _ => crate::services::access::Rights::default(),
        }
    }

    /// The items of both spaces the caller sees.
    pub fn items(&self) -> ItemFilter {
        let mut filter = self.personal.items();
        if let Some(team) = &self.team {
            filter.shared = Some(team.viewable_folders());
        }
        filter
    }
}

/// The items of `album` the caller sees. With `team_api` (an album scope of a
/// `SYNO.FotoTeam.*` call) only its Shared Space items.
pub async fn album_items(
    state: &AppState,
    sight: &Sight,
    album: &AlbumRow,
    team_api: bool,
) -> ApiResult<ItemFilter> {
    let mut filter = if album.is_condition() {
        condition_items(state, &album.condition(), sight).await?
    } else {
        ItemFilter {
            album: Some(album.id),
            contributed: true,
            ..sight.items()
        }
    };
    if team_api {
        // The Personal Space part limited to no folder at all.
        filter.folders = Some(Vec::new());
        if filter.shared.is_none() {
            return Err(ApiError::Forbidden);
        }
    }
    Ok(filter)
}

/// A condition's fields as request parameters, so that they are read exactly as
/// `list_with_filter` reads its own. `folder_filter` (the reference's name) is `folder`.
pub fn condition_params(condition: &Value) -> ApiResult<Params> {
    let object = match condition {
        Value::Object(o) => o,
        Value::Array(list) if list.len() == 1 && list[0].is_object() => {
            list[0].as_object().expect("checked")
        }
        _ => {
            return Err(ApiError::bad(
                "condition",
                "an object of filter fields, e.g. {\"general_tag\":[3]}",
            ));
        }
    };
    let mut params = Params::default();
    for (key, value) in object {
        let key = if key == "folder_filter" {
            "folder"
        } else {
            key
        };
        let text = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        params.insert(key.to_owned(), text);
    }
    Ok(params)
}

/// The items a condition selects among those the caller sees in both spaces. Folders (of
/// either space) count with everything below them.
pub async fn condition_items(
    state: &AppState,
    condition: &Value,
    sight: &Sight,
) -> ApiResult<ItemFilter> {
    let (personal, team) = (&sight.personal, sight.team.as_ref());
    let params = condition_params(condition)?;
    let mut filter = sight.items();
    if let Some(folders) = params.int_list("folder")? {
        let db = &state.db;
        let (mut mine, mut shared) = (Vec::new(), Vec::new());
        for id in folders {
            if let Some(folder) = library::folder(db, personal.owner, id).await? {
                mine.extend(library::folder_subtree(db, personal.owner, &folder).await?);
            } else if let Some(team) = team
                && let Some(folder) = library::folder(db, team.owner, id).await?
                && team.sees_folder(folder.id)
            {
                let below = library::folder_subtree(db, team.owner, &folder).await?;
                shared.extend(below.into_iter().filter(|f| team.rights(*f).view));
            } else {
                return Err(ApiError::NotFound);
            }
        }
        filter.folders = Some(mine);
        filter.shared = team.map(|_| Some(shared));
    }
    narrow_by_fields(&params, state, filter).await
}
