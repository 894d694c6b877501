//! The wire protocol of the Synology Photos web API: transport and dispatch, parameters,
//! replies, error codes, the call a handler receives, and the session effects a reply carries.
//! It knows no API by name.

pub mod call;
pub mod codes;
pub mod discovery;
pub mod dispatch;
pub mod effect;
pub mod encrypted;
pub mod error;
pub mod listing;
pub mod params;
pub mod reply;
pub mod table;

pub use call::{ApiRoute, Call, LinkVisit, Viewer};
