//! The policy between the protocol and the handlers: who may reach what, settings, sharing,
//! uploads, the recycle bin. Services call `shoebox_catalog`; they never import `api::*`.

pub mod access;
pub mod albums;
pub mod changes;
pub mod edits;
pub mod filters;
pub mod folders;
pub mod indexing;
pub mod items;
pub mod media;
pub mod people;
pub mod places;
pub mod reach;
pub mod recent;
pub mod recycle;
pub mod recycle_bin;
pub mod requests;
pub mod settings;
pub mod sharing;
pub mod sight;
pub mod signin;
pub mod team_permissions;
pub mod uploads;
pub mod users;
