//! People and subjects as a caller sees them (docs/recognition.md): whether recognition is on
//! for their space, the people and subjects of the items they see, and who may change people
//! (one's own; in the Shared Space, administrators).

use crate::protocol::error::{ApiError, ApiResult};
use crate::services::access::Reach;
use crate::state::AppState;
use shoebox_catalog::people::{self, ConceptRow, FaceRow, PersonQuery, PersonRow};

/// Whether people and subjects are on for a space.
#[derive(Debug, Clone, Copy, Default)]
pub struct Switches {
    pub faces: bool,
    pub subjects: bool,
}

/// Whether people and subjects are on for space `owner`: this server has their models and
/// neither the administrator, the user nor the Shared Space switched them off.
pub async fn switches(state: &AppState, owner: i64) -> ApiResult<Switches> {
    let Some(r) = state.indexer.recogniser() else {
        return Ok(Switches::default());
    };
    let (faces, subjects) = (r.faces().is_ready(), r.subjects().is_ready());
    if !faces && !subjects {
        return Ok(Switches::default());
    }
    let (faces_on, subjects_on) = shoebox_catalog::faces::space_switches(&state.db, owner).await?;
    Ok(Switches {
        faces: faces && faces_on,
        subjects: subjects && subjects_on,
    })
}

/// The people `q` asks for among those with items `reach` sees; none when people are off.
pub async fn listed(
    state: &AppState,
    reach: &Reach,
    q: &PersonQuery<'_>,
) -> ApiResult<Vec<PersonRow>> {
    if !switches(state, reach.owner).await?.faces {
        return Ok(Vec::new());
    }
    Ok(people::persons(&state.db, &reach.items(), q).await?)
}

/// The people `ids` as `reach` sees them; 642 unless every one is visible.
pub async fn visible(state: &AppState, reach: &Reach, ids: &[i64]) -> ApiResult<Vec<PersonRow>> {
    let q = PersonQuery {
        only: Some(ids),
        include_hidden: true,
        ..Default::default()
    };
    let rows = listed(state, reach, &q).await?;
    let mut want = ids.to_vec();
    want.sort_unstable();
    want.dedup();
    if rows.len() != want.len() {
        return Err(ApiError::NotFound);
    }
    Ok(rows)
}

/// Leave to change people, checked by [`changing`]: every change goes through one.
pub struct Changing<'a> {
    reach: &'a Reach,
    ids: Vec<i64>,
}

/// Leave to change the people `ids`, if the caller sees them all (else 642) and may change
/// them (else 105): their own; in the Shared Space, administrators.
pub async fn changing<'a>(
    state: &AppState,
    reach: &'a Reach,
    ids: &[i64],
) -> ApiResult<Changing<'a>> {
    visible(state, reach, ids).await?;
    if reach.team && !reach.is_admin {
        return Err(ApiError::Forbidden);
    }
    Ok(Changing {
        reach,
        ids: ids.to_vec(),
    })
}

/// Which face to show for a person: a face, or their face on an item.
#[derive(Debug, Clone, Copy)]
pub enum Cover {
    Face(i64),
    OnItem(i64),
}

impl Changing<'_> {
    /// The one person this leave is for.
    fn one(&self) -> ApiResult<i64> {
        match self.ids.as_slice() {
            [id] => Ok(*id),
            _ => Err(ApiError::bad("id", "exactly one id")),
        }
    }

    /// Checks that `faces` are all the person's; 642 if one is not.
    async fn own_faces(&self, state: &AppState, faces: &[i64]) -> ApiResult<i64> {
        let person = self.one()?;
        let mine = people::faces_of(&state.db, &self.reach.items(), person, 0, i64::MAX).await?;
        if faces.iter().any(|f| !mine.iter().any(|m| m.id == *f)) {
            return Err(ApiError::NotFound);
        }
        Ok(person)
    }

    /// Names the person (`""` takes the name away); a name another person has makes them
    /// one. The person that has the name now.
    pub async fn rename(&self, state: &AppState, name: &str) -> ApiResult<i64> {
        Ok(people::set_name(&state.db, self.one()?, name).await?)
    }

    /// Makes these people (but `target`) one with `target`, which must be among them.
    pub async fn merge_into(&self, state: &AppState, target: i64) -> ApiResult<()> {
        let sources: Vec<i64> = self.ids.iter().copied().filter(|i| *i != target).collect();
        Ok(people::merge(&state.db, &sources, target).await?)
    }

    /// Those faces are not the person.
    pub async fn separate(&self, state: &AppState, faces: &[i64]) -> ApiResult<()> {
        let person = self.own_faces(state, faces).await?;
        people::separate(&state.db, person, faces).await?;
        Ok(())
    }

    /// Those faces of the person are no faces.
    pub async fn delete_faces(&self, state: &AppState, faces: &[i64]) -> ApiResult<()> {
        let person = self.own_faces(state, faces).await?;
        people::delete_faces(&state.db, person, faces).await?;
        Ok(())
    }

    /// Hides (`shown` false) or shows these people.
    pub async fn set_shown(&self, state: &AppState, shown: bool) -> ApiResult<()> {
        Ok(people::set_shown(&state.db, &self.ids, shown).await?)
    }

    /// Chooses the face shown for the person.
    pub async fn set_cover(&self, state: &AppState, cover: Cover) -> ApiResult<()> {
        let person = self.one()?;
        let face = match cover {
            Cover::Face(f) => f,
            Cover::OnItem(item) => people::face_on_item(&state.db, person, item)
                .await?
                .ok_or(ApiError::NotFound)?,
        };
        if !people::set_cover(&state.db, person, face).await? {
            return Err(ApiError::NotFound);
        }
        Ok(())
    }
}

/// A page of person `id`'s faces on the items `reach` sees.
pub async fn faces(
    state: &AppState,
    reach: &Reach,
    id: i64,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<FaceRow>> {
    visible(state, reach, &[id]).await?;
    Ok(people::faces_of(&state.db, &reach.items(), id, offset, limit).await?)
}

/// The named people nearest to person `id` ("Is this …?"), nearest first.
pub async fn nearest(state: &AppState, reach: &Reach, id: i64) -> ApiResult<Vec<PersonRow>> {
    visible(state, reach, &[id]).await?;
    let near = people::nearest_named(&state.db, id, 5).await?;
    let q = PersonQuery {
        only: Some(&near),
        ..Default::default()
    };
    let mut rows = people::persons(&state.db, &reach.items(), &q).await?;
    rows.sort_by_key(|r| near.iter().position(|n| *n == r.id));
    Ok(rows)
}

/// The face shown for a person (`Thumbnail get type=person`).
#[derive(Debug, Clone, Copy)]
pub struct CoverFace {
    pub face: i64,
    /// The item the face is on.
    pub item: i64,
    /// The face's box on the item, relative to it.
    pub rect: [f32; 4],
    /// The item's thumbnail build.
    pub version: i64,
}

/// The face shown for person `id`, if `reach` sees them.
pub async fn cover_face(state: &AppState, reach: &Reach, id: i64) -> ApiResult<CoverFace> {
    let rows = visible(state, reach, &[id]).await?;
    let face = rows.first().ok_or(ApiError::NotFound)?.cover_face;
    let (item, x, y, w, h, version) = people::face(&state.db, face)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(CoverFace {
        face,
        item,
        rect: [x as f32, y as f32, w as f32, h as f32],
        version,
    })
}

/// The subjects of the items `reach` sees (`only` these), most items first; none when
/// subjects are off.
pub async fn concepts(
    state: &AppState,
    reach: &Reach,
    only: Option<&[i64]>,
) -> ApiResult<Vec<ConceptRow>> {
    if !switches(state, reach.owner).await?.subjects {
        return Ok(Vec::new());
    }
    Ok(people::concepts(&state.db, &reach.items(), only).await?)
}
