//! The policy between the protocol and the handlers: who may reach what, settings, sharing,
//! uploads, the recycle bin. Services call `shoebox_catalog`; they never import `api::*`.

pub mod access;
pub mod albums;
pub mod filters;
pub mod items;
pub mod reach;
pub mod recent;
pub mod recycle;
pub mod settings;
pub mod sharing;
pub mod sight;
