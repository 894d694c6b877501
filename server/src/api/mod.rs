//! The Synology Photos web API: the table of served APIs (`table`) and one module per API
//! family. The wire protocol lives in [`crate::protocol`] (re-exported here by its old names).

pub use crate::protocol::{ApiRoute, Call, codes, dispatch, effect, error, params, reply};
pub mod table;

mod auth;
mod browse;
mod core_admin;
mod dsm;
mod encryption;
mod index;
mod info;
pub mod media;
mod requests;
mod resumable;
mod search;
pub mod settings;
mod setup;
pub mod sharing;
mod upload;
mod user_info;
