//! `SYNO.Foto.Browse.Person` / `SYNO.FotoTeam.Browse.Person` (reference §3.9, §4.4) and
//! `Browse.Concept`: the people and subjects the indexer found (docs/recognition.md). A person
//! or subject exists for a caller only through items they see: counts and covers are theirs,
//! and one with none of their items answers 642. People of the Shared Space are changed (named,
//! merged, hidden) by administrators (`services/people.rs`).

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::protocol::listing::page;
use crate::protocol::reply::Reply;
use crate::services::people::{self, Cover};
use crate::wire::list::{Count, List};
use crate::wire::person::{Concept, Face, Person};
use shoebox_catalog::people::{ConceptRow, PersonQuery, PersonRow};

/// The objectless answer of a change.
#[derive(serde::Serialize)]
struct Done {}

/// The answer of a change that names the person it leaves.
#[derive(serde::Serialize)]
struct PersonId {
    id: i64,
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

fn persons(rows: &[PersonRow], thumbnail: bool) -> List<Person> {
    List::of(rows.iter().map(|p| Person::of(p, thumbnail)).collect())
}

fn skip_take<T>(rows: Vec<T>, offset: i64, limit: i64) -> Vec<T> {
    rows.into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect()
}

pub async fn list(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let thumb = wants_thumbnail(&call)?;
    let q = PersonQuery {
        include_hidden: include_hidden(&call)?,
        ..Default::default()
    };
    let reach = extract::reach(&call).await?;
    let rows = people::listed(&call.state, &reach, &q).await?;
    Ok(Reply::data(persons(&skip_take(rows, offset, limit), thumb)))
}

pub async fn count(call: Call) -> ApiResult {
    let q = PersonQuery {
        include_hidden: include_hidden(&call)?,
        ..Default::default()
    };
    let reach = extract::reach(&call).await?;
    let rows = people::listed(&call.state, &reach, &q).await?;
    Ok(Reply::data(Count::of(rows.len())))
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

pub async fn get(call: Call) -> ApiResult {
    let ids = ids_of(&call, "id")?;
    let thumb = wants_thumbnail(&call)?;
    let reach = extract::reach(&call).await?;
    let rows = people::visible(&call.state, &reach, &ids).await?;
    Ok(Reply::data(persons(&rows, thumb)))
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
    let reach = extract::reach(&call).await?;
    let change = people::changing(&call.state, &reach, &[id]).await?;
    let person = change.rename(&call.state, name).await?;
    Ok(Reply::data(PersonId { id: person }))
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
    let mut all = sources;
    all.push(target);
    let reach = extract::reach(&call).await?;
    let change = people::changing(&call.state, &reach, &all).await?;
    change.merge_into(&call.state, target).await?;
    Ok(Reply::data(PersonId { id: target }))
}

/// `separate` (`id`, `face_id` [ids]): those faces are not this person.
pub async fn separate(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let reach = extract::reach(&call).await?;
    let change = people::changing(&call.state, &reach, &[id]).await?;
    let faces = ids_of(&call, "face_id")?;
    change.separate(&call.state, &faces).await?;
    Ok(Reply::data(Done {}))
}

/// `delete_face` (`id`, `face_id` [ids]): those are no faces.
pub async fn delete_face(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let reach = extract::reach(&call).await?;
    let change = people::changing(&call.state, &reach, &[id]).await?;
    let faces = ids_of(&call, "face_id")?;
    change.delete_faces(&call.state, &faces).await?;
    Ok(Reply::data(Done {}))
}

/// `list_face` (`id`, `offset`, `limit`): `{"list": [{id, item_id, person_id, box}]}`, the box
/// relative to the displayed photo.
pub async fn list_face(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let (offset, limit) = page(&call)?;
    let reach = extract::reach(&call).await?;
    let faces = people::faces(&call.state, &reach, id, offset, limit).await?;
    Ok(Reply::data(List::of(faces.iter().map(Face::of).collect())))
}

/// `show` (`id` [ids], `show` true or false; true when left out): hides or shows people.
pub async fn show(call: Call) -> ApiResult {
    let ids = ids_of(&call, "id")?;
    let shown = call.params.bool("show")?.unwrap_or(true);
    let reach = extract::reach(&call).await?;
    let change = people::changing(&call.state, &reach, &ids).await?;
    change.set_shown(&call.state, shown).await?;
    Ok(Reply::data(Done {}))
}

/// `set_cover` (`id`, `face_id`, or `item_id` of a photo of them).
pub async fn set_cover(call: Call) -> ApiResult {
    let id = one_id(&call)?;
    let reach = extract::reach(&call).await?;
    let change = people::changing(&call.state, &reach, &[id]).await?;
    let cover = match call.params.int("face_id")? {
        Some(f) => Cover::Face(f),
        None => Cover::OnItem(
            call.params
                .int("item_id")?
                .ok_or(ApiError::MissingParam("face_id"))?,
        ),
    };
    change.set_cover(&call.state, cover).await?;
    Ok(Reply::data(Done {}))
}

/// `suggest`: with `id`, the named people nearest to that person ("Is this …?"); with
/// `keyword`, the named people whose name holds it.
pub async fn suggest(call: Call) -> ApiResult {
    let thumb = wants_thumbnail(&call)?;
    let rows = if call.params.raw("id").is_some() {
        let id = one_id(&call)?;
        let reach = extract::reach(&call).await?;
        people::nearest(&call.state, &reach, id).await?
    } else {
        let word = call.params.string("keyword").unwrap_or_default();
        let q = PersonQuery {
            name_like: Some(word.trim()),
            ..Default::default()
        };
        let reach = extract::reach(&call).await?;
        let rows = people::listed(&call.state, &reach, &q).await?;
        rows.into_iter().take(20).collect()
    };
    Ok(Reply::data(persons(&rows, thumb)))
}

fn concepts(call: &Call, rows: &[ConceptRow]) -> ApiResult<List<Concept>> {
    let thumbnail = wants_thumbnail(call)?;
    Ok(List::of(
        rows.iter().map(|c| Concept::of(c, thumbnail)).collect(),
    ))
}

/// `Browse.Concept list` (`offset`, `limit`, `additional` thumbnail): the subjects of the
/// caller's items, most items first, each with the newest item as its cover.
pub async fn concept_list(call: Call) -> ApiResult {
    let (offset, limit) = page(&call)?;
    let reach = extract::reach(&call).await?;
    let rows = people::concepts(&call.state, &reach, None).await?;
    Ok(Reply::data(concepts(
        &call,
        &skip_take(rows, offset, limit),
    )?))
}

pub async fn concept_count(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let rows = people::concepts(&call.state, &reach, None).await?;
    Ok(Reply::data(Count::of(rows.len())))
}

pub async fn concept_get(call: Call) -> ApiResult {
    let ids = ids_of(&call, "id")?;
    let reach = extract::reach(&call).await?;
    let rows = people::concepts(&call.state, &reach, Some(&ids)).await?;
    let mut want = ids.clone();
    want.sort_unstable();
    want.dedup();
    if rows.len() != want.len() {
        return Err(ApiError::NotFound);
    }
    Ok(Reply::data(concepts(&call, &rows)?))
}
