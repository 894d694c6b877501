//! `SYNO.Foto.Browse.Person` / `SYNO.FotoTeam.Browse.Person` (reference §3.9, §4.4) and
//! `Browse.Concept`: the people and subjects the indexer found (docs/recognition.md). A person
//! or subject exists for a caller only through items they see: counts and covers are theirs,
//! and one with none of their items answers 642. People of the Shared Space are changed (named,
//! merged, hidden) by administrators.

use serde_json::{Value, json};

use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::page;
use crate::protocol::reply::Reply;
use crate::services::access::Reach;
use shoebox_catalog::people::{self, ConceptRow, PersonQuery, PersonRow};

/// Whether people and subjects are on for the caller's space: this server has their models
/// and neither the administrator, the user nor the Shared Space switched them off.
pub(crate) async fn switches(call: &Call, reach: &Reach) -> ApiResult<(bool, bool)> {
    let Some(r) = call.state.indexer.recogniser() else {
        return Ok((false, false));
    };
    let (faces, subjects) = (r.faces().is_ready(), r.subjects().is_ready());
    if !faces && !subjects {
        return Ok((false, false));
    }
    let (faces_on, subjects_on) =
        shoebox_catalog::faces::space_switches(&call.state.db, reach.owner).await?;
    Ok((faces && faces_on, subjects && subjects_on))
}

fn person_json(p: &PersonRow, with_thumbnail: bool) -> Value {
    let mut out = json!({
        "id": p.id,
        "name": p.name,
        "item_count": p.item_count,
        "show": p.show,
        "cover": p.cover_face,
        "additional": {},
    });
    if with_thumbnail {
        out["additional"]["thumbnail"] = json!({
            "cache_key": format!("{}_{}", p.id, p.cover_face),
            "unit_id": p.cover_face,
            "sm": "ready", "m": "ready", "xl": "ready", "preview": "ready",
        });
    }
    out
}

fn wants_thumbnail(call: &Call) -> ApiResult<bool> {
    Ok(call
        .params
        .string_list("additional")?
        .is_some_and(|a| a.iter().any(|s| s == "thumbnail")))
}

/// `show_more=true` (or `show_hidden=true`) lists hidden people too.
fn include_hidden(call: &Call) -> ApiResult<bool> {
    Ok(call.params.bool("show_more")?.unwrap_or(false)
        || call.params.bool("show_hidden")?.unwrap_or(false))
}

async fn listed(call: &Call, q: &PersonQuery<'_>) -> ApiResult<(Reach, Vec<PersonRow>)> {
    let reach = call.reach().await?;
    if !switches(call, &reach).await?.0 {
        return Ok((reach, Vec::new()));
    }
    let rows = people::persons(&call.state.db, &reach.items(), q).await?;
    Ok((reach, rows))
}

pub async fn list(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let thumb = wants_thumbnail(&call)?;
    let q = PersonQuery {
        include_hidden: include_hidden(&call)?,
        ..Default::default()
    };
    let (_, rows) = listed(&call, &q).await?;
    let list: Vec<Value> = rows
        .iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|p| person_json(p, thumb))
        .collect();
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn count(call: Call) -> ApiResult {
    let q = PersonQuery {
        include_hidden: include_hidden(&call)?,
        ..Default::default()
    };
    let (_, rows) = listed(&call, &q).await?;
    Ok(Reply::data(json!({ "count": rows.len() })))
}

/// The people `ids` as the caller sees them; 642 unless every one is visible.
async fn visible(call: &Call, ids: &[i64]) -> ApiResult<(Reach, Vec<PersonRow>)> {
    let q = PersonQuery {
        only: Some(ids),
        include_hidden: true,
        ..Default::default()
    };
    let (reach, rows) = listed(call, &q).await?;
    let mut want = ids.to_vec();
    want.sort_unstable();
    want.dedup();
    if rows.len() != want.len() {
        return Err(ApiError::NotFound);
    }
    Ok((reach, rows))
}

fn ids_of(call: &Call, key: &'static str) -> ApiResult<Vec<i64>> {
    let ids = call
        .params
        .int_list(key)?
        .ok_or(ApiError::MissingParam(key))?;
    if ids.is_empty() || ids.len() > 1000 {
        return Err(ApiError::bad(key, "1 to 1000 ids"));
    }
    Ok(ids)
}

fn one_id(call: &Call) -> ApiResult<i64> {
    match ids_of(call, "id")?.as_slice() {
        [id] => Ok(*id),
        _ => Err(ApiError::bad("id", "exactly one id")),
    }
}

/// Changing people: one's own; in the Shared Space, administrators.
fn may_change(reach: &Reach) -> ApiResult<()> {
    if reach.team && !reach.is_admin {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

pub async fn get(call: Call) -> ApiResult {
    let ids = ids_of(&call, "id")?;
    let thumb = wants_thumbnail(&call)?;
    let (_, rows) = visible(&call, &ids).await?;
    let list: Vec<Value> = rows.iter().map(|p| person_json(p, thumb)).collect();
    Ok(Reply::data(json!({ "list": list })))
}

/// `set` (`id`, `name`): names a person, or with "" takes the name away. A name another person
/// has already makes them one ("Name as …"); the answer names the person that has it.
pub async fn set(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let name = call.params.required_string("name")?;
    let name = name.trim();
    if name.chars().count() > 255 || name.chars().any(char::is_control) {
        return Err(ApiError::bad("name", "at most 255 printable characters"));
    }
    let (reach, _) = visible(&call, &[id]).await?;
    may_change(&reach)?;
    let person = people::set_name(&call.state.db, id, name).await?;
    Ok(Reply::data(json!({ "id": person })))
}

/// `merge` (`source_ids` [ids] or `id`, `target_id`).
pub async fn merge(call: Call) -> ApiResult {
    let target = call
        .params
        .int("target_id")?
        .ok_or(ApiError::MissingParam("target_id"))?;
    let sources = match call.params.int_list("source_ids")? {
        Some(s) => s,
        None => ids_of(&call, "id")?,
    };
    if sources.is_empty() || sources.len() > 1000 || sources.contains(&target) {
        return Err(ApiError::bad(
            "source_ids",
            "1 to 1000 people other than the target",
        ));
    }
    let mut all = sources.clone();
    all.push(target);
    let (reach, _) = visible(&call, &all).await?;
    may_change(&reach)?;
    people::merge(&call.state.db, &sources, target).await?;
    Ok(Reply::data(json!({ "id": target })))
}

/// Faces named by `face_id` [ids] that are the person's; 642 if one is not.
async fn faces_of_person(call: &Call, reach: &Reach, person: i64) -> ApiResult<Vec<i64>> {
    let faces = ids_of(call, "face_id")?;
    let mine = people::faces_of(&call.state.db, &reach.items(), person, 0, i64::MAX).await?;
    if faces.iter().any(|f| !mine.iter().any(|m| m.id == *f)) {
        return Err(ApiError::NotFound);
    }
    Ok(faces)
}

/// `separate` (`id`, `face_id` [ids]): those faces are not this person.
pub async fn separate(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let (reach, _) = visible(&call, &[id]).await?;
    may_change(&reach)?;
    let faces = faces_of_person(&call, &reach, id).await?;
    people::separate(&call.state.db, id, &faces).await?;
    Ok(Reply::data(json!({})))
}

/// `delete_face` (`id`, `face_id` [ids]): those are no faces.
pub async fn delete_face(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let (reach, _) = visible(&call, &[id]).await?;
    may_change(&reach)?;
    let faces = faces_of_person(&call, &reach, id).await?;
    people::delete_faces(&call.state.db, id, &faces).await?;
    Ok(Reply::data(json!({})))
}

/// `list_face` (`id`, `offset`, `limit`): `{"list": [{id, item_id, person_id, box}]}`, the box
/// relative to the displayed photo.
pub async fn list_face(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let (offset, limit) = page(&call)?;
    let (reach, _) = visible(&call, &[id]).await?;
    let faces = people::faces_of(&call.state.db, &reach.items(), id, offset, limit).await?;
    let list: Vec<Value> = faces
        .iter()
        .map(|f| {
            json!({
                "id": f.id,
                "item_id": f.item_id,
                "person_id": f.person_id.unwrap_or(0),
                "box": {"x": f.x, "y": f.y, "width": f.w, "height": f.h},
            })
        })
        .collect();
    Ok(Reply::data(json!({ "list": list })))
}

/// `show` (`id` [ids], `show` true or false; true when left out): hides or shows people.
pub async fn show(call: Call) -> ApiResult {
    let ids = ids_of(&call, "id")?;
    let shown = call.params.bool("show")?.unwrap_or(true);
    let (reach, _) = visible(&call, &ids).await?;
    may_change(&reach)?;
    people::set_shown(&call.state.db, &ids, shown).await?;
    Ok(Reply::data(json!({})))
}

/// `set_cover` (`id`, `face_id`, or `item_id` of a photo of them).
pub async fn set_cover(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let (reach, _) = visible(&call, &[id]).await?;
    may_change(&reach)?;
    let face = match call.params.int("face_id")? {
        Some(f) => f,
        None => {
            let item = call
                .params
                .int("item_id")?
                .ok_or(ApiError::MissingParam("face_id"))?;
            people::face_on_item(&call.state.db, id, item)
                .await?
                .ok_or(ApiError::NotFound)?
        }
    };
    if !people::set_cover(&call.state.db, id, face).await? {
        return Err(ApiError::NotFound);
    }
    Ok(Reply::data(json!({})))
}

/// `suggest`: with `id`, the named people nearest to that person ("Is this …?"); with
/// `keyword`, the named people whose name holds it.
pub async fn suggest(call: Call) -> ApiResult {
    let thumb = wants_thumbnail(&call)?;
    let rows = if call.params.raw("id").is_some() {
        let id = one_id(&call)?;
        let (reach, _) = visible(&call, &[id]).await?;
        let near = people::nearest_named(&call.state.db, id, 5).await?;
        let q = PersonQuery {
            only: Some(&near),
            ..Default::default()
        };
        let mut rows = people::persons(&call.state.db, &reach.items(), &q).await?;
        rows.sort_by_key(|r| near.iter().position(|n| *n == r.id));
        rows
    } else {
        let word = call.params.string("keyword").unwrap_or_default();
        let q = PersonQuery {
            name_like: Some(word.trim()),
            ..Default::default()
        };
        let (_, rows) = listed(&call, &q).await?;
        rows.into_iter().take(20).collect()
    };
    let list: Vec<Value> = rows.iter().map(|p| person_json(p, thumb)).collect();
    Ok(Reply::data(json!({ "list": list })))
}

/// The face shown for person `id` (`Thumbnail get type=person`), if the caller sees it:
/// `(face id, item id, box, item's thumbnail build)`.
pub async fn cover_face(call: &Call, id: i64) -> ApiResult<(i64, i64, [f32; 4], i64)> {
    let (_, rows) = visible(call, &[id]).await?;
    let face = rows.first().ok_or(ApiError::NotFound)?.cover_face;
    let (item, x, y, w, h, version) = people::face(&call.state.db, face)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((
        face,
        item,
        [x as f32, y as f32, w as f32, h as f32],
        version,
    ))
}

fn concept_json(c: &ConceptRow, thumbnail: bool) -> Value {
    let mut out = json!({
        "id": c.id,
        "key": c.key,
        "name": c.name,
        "item_count": c.item_count,
        "additional": {},
    });
    if thumbnail {
        out["additional"]["thumbnail"] = json!({
            "cache_key": crate::wire::item::cache_key_of(c.cover_item, c.cover_version),
            "unit_id": c.cover_item,
            "sm": "ready", "m": "ready", "xl": "ready", "preview": "ready",
        });
    }
    out
}

async fn concept_rows(call: &Call, only: Option<&[i64]>) -> ApiResult<Vec<ConceptRow>> {
    let reach = call.reach().await?;
    if !switches(call, &reach).await?.1 {
        return Ok(Vec::new());
    }
    Ok(people::concepts(&call.state.db, &reach.items(), only).await?)
}

fn concepts_json(call: &Call, rows: &[ConceptRow]) -> ApiResult<Vec<Value>> {
    let thumbnail = wants_thumbnail(call)?;
    Ok(rows.iter().map(|c| concept_json(c, thumbnail)).collect())
}

/// `Browse.Concept list` (`offset`, `limit`, `additional` thumbnail): the subjects of the
/// caller's items, most items first, each with the newest item as its cover.
pub async fn concept_list(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let rows: Vec<ConceptRow> = concept_rows(&call, None)
        .await?
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let list = concepts_json(&call, &rows)?;
    Ok(Reply::data(json!({ "list": list })))
}

pub async fn concept_count(call: Call) -> ApiResult {
    let rows = concept_rows(&call, None).await?;
    Ok(Reply::data(json!({ "count": rows.len() })))
}

pub async fn concept_get(call: Call) -> ApiResult {
    let ids = ids_of(&call, "id")?;
    let rows = concept_rows(&call, Some(&ids)).await?;
    let mut want = ids.clone();
    want.sort_unstable();
    want.dedup();
    if rows.len() != want.len() {
        return Err(ApiError::NotFound);
    }
    let list = concepts_json(&call, &rows)?;
    Ok(Reply::data(json!({ "list": list })))
}
