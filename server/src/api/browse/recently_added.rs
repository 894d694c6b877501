//! `SYNO.Foto.Browse.RecentlyAdded` / `SYNO.FotoTeam.Browse.RecentlyAdded`: an automatic album
//! of either space, what came into it in the last 30 days, newest first.

use crate::extract;
use crate::protocol::Call;
use crate::protocol::error::ApiResult;
use crate::protocol::listing::{Additional, page};
use crate::protocol::reply::Reply;
use crate::services::albums;
use crate::wire::list::{Count, List};

/// `list`.
pub async fn list(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let page = page(&call)?;
    let additional = Additional::of(&call)?;
    let list =
        albums::recently_added_page(&call.state, call.viewer(), &reach, &additional, page).await?;
    Ok(Reply::data(List::of(list)))
}

/// `count`.
pub async fn count(call: Call) -> ApiResult {
    let reach = extract::reach(&call).await?;
    let count = albums::recently_added_count(&call.state, &reach).await?;
    Ok(Reply::data(Count::of(count)))
}
