//! What handlers draw from a [`Call`] before they call a service, in one place between the
//! protocol and the services (like axum's extractors): the caller's reach in the API's space,
//! and the share link a call goes through. Services take what these return, never a `Call`.

use crate::protocol::Call;
use crate::protocol::error::{ApiError, ApiResult};
use crate::services::access::Reach;
use crate::services::sharing::Shared;
use crate::services::uploads::Uploader;
use crate::wire::upload::UploadRequest;

/// The share link the call goes through, if it names or holds one it may open (else 642 for a
/// link it may not; `None` when it names none).
pub async fn shared(call: &Call) -> ApiResult<Option<Shared>> {
    Shared::of(&call.state, &call.link_visit()).await
}

/// The caller's reach in the space the API speaks for; through a folder link (a guest's, or a
/// `passphrase` named), the Shared Space as the link shows it.
pub async fn reach(call: &Call) -> ApiResult<Reach> {
    if call.team() && call.viewer().via_link {
        return shared(call)
            .await?
            .and_then(|shared| shared.reach)
            .ok_or(ApiError::NotFound);
    }
    Reach::of(&call.state, call.user()?, call.team()).await
}

/// [`reach`] as thumbnail requests read it ([`crate::services::recent`]).
pub async fn reach_recent(call: &Call) -> ApiResult<Reach> {
    Reach::of_recent(&call.state, call.user()?, call.team()).await
}

/// Who uploads `request`: the signed-in caller with `reach`, and the share link the call names
/// when the album it joins is named through one.
pub async fn uploader(call: &Call, reach: Reach, request: &UploadRequest) -> ApiResult<Uploader> {
    let user = call.user()?.user_id.0;
    let link = match request.album {
        Some(album) if album.by_link => shared(call).await?,
        _ => None,
    };
    Ok(Uploader { user, reach, link })
}
