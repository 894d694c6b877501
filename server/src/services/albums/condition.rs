//! Conditional albums' conditions (reference §3.6): checking one a client sends, counting what
//! it would hold, and suggesting tags, folders and places to build one from.

use serde_json::Value;
use shoebox_catalog::albums::{self, AlbumRow};
use shoebox_catalog::library;
use shoebox_catalog::sessions::Session;

use crate::protocol::error::{ApiError, ApiResult};
use crate::services::sight::{Sight, condition_items};
use crate::state::AppState;
use crate::wire::album::Suggestion;

/// Most suggestions answered.
const MAX_SUGGESTIONS: usize = 100;

/// A condition a client sends (`create`, `set_condition`), checked by evaluating it once for
/// `user`; kept as one object, whichever form it came in.
pub async fn checked(state: &AppState, user: &Session, condition: Value) -> ApiResult<Value> {
    if condition.to_string().len() > 64 * 1024 {
        return Err(ApiError::bad("condition", "larger than 64 KiB"));
    }
    let filter = condition_items(state, &condition, &Sight::of(state, user).await?).await?;
    library::count_items(&state.db, &filter).await?;
    Ok(match condition {
        Value::Array(mut list) => list.remove(0),
        other => other,
    })
}

/// A new conditional album of `user`'s named `name` (checked, [`super::changes::checked_name`])
/// whose `condition` is [`checked`].
pub async fn create(
    state: &AppState,
    user: &Session,
    name: &str,
    condition: &Value,
) -> ApiResult<AlbumRow> {
    let owner = user.user_id.0;
    let id = albums::create(&state.db, owner, name, Some(condition))
        .await?
        .ok_or_else(|| ApiError::bad("name", format!("at most {} albums", albums::MAX_ALBUMS)))?;
    super::own(state, owner, id).await
}

/// Gives `album` ([`super::own_condition`]) a new `condition` ([`checked`]).
pub async fn set(state: &AppState, album: &AlbumRow, condition: &Value) -> ApiResult<()> {
    albums::set_condition(&state.db, album.id, condition).await?;
    Ok(())
}

/// How many items `condition` would hold for `user`, before it is saved.
pub async fn item_count(state: &AppState, user: &Session, condition: &Value) -> ApiResult<i64> {
    let filter = condition_items(state, condition, &Sight::of(state, user).await?).await?;
    Ok(library::count_items(&state.db, &filter).await?)
}

/// A `keyword` to suggest from, as given: trimmed, in lower case, at most 256 bytes.
pub fn keyword(given: &str) -> ApiResult<String> {
    let word = given.trim().to_lowercase();
    if word.len() > 256 {
        return Err(ApiError::bad("keyword", "longer than 256 bytes"));
    }
    Ok(word)
}

/// Tags (`general_tag`), folders (`folder`) and places (`geocoding`) `user` sees whose names
/// contain `word` ([`keyword`]), of the `kinds` asked for.
pub async fn suggest(
    state: &AppState,
    user: &Session,
    word: &str,
    kinds: &[String],
) -> ApiResult<Vec<Suggestion>> {
    let sight = Sight::of(state, user).await?;
    let db = &state.db;
    let mut list = Vec::new();
    for kind in kinds {
        match kind.as_str() {
            "general_tag" => {
                for (id, name, _) in library::tags_with_counts(db, &sight.items(), None).await? {
                    if name.to_lowercase().contains(word) {
                        list.push(Suggestion {
                            id,
                            name,
                            kind: "general_tag",
                        });
                    }
                }
            }
            "folder" => {
                for reach in std::iter::once(&sight.personal).chain(sight.team.as_ref()) {
                    for f in library::folders_matching(db, reach.owner, word, 50).await? {
                        if reach.sees_folder(f.id) {
                            list.push(Suggestion {
                                id: f.id,
                                name: f.path,
                                kind: "folder",
                            });
                        }
                    }
                }
            }
            "geocoding" => {
                for place in shoebox_catalog::places::counted(db, &sight.items()).await? {
                    if place.node.name.to_lowercase().contains(word) {
                        list.push(Suggestion {
                            id: place.node.id,
                            name: place.node.name,
                            kind: "geocoding",
                        });
                    }
                }
            }
            // People and subjects come with their features.
            "person" | "concept" => {}
            other => {
                return Err(ApiError::bad(
                    "condition",
                    format!("unknown kind {other:?}: general_tag, folder or geocoding"),
                ));
            }
        }
    }
    list.truncate(MAX_SUGGESTIONS);
    Ok(list)
}
