//! The answer shapes several API families share (reference §4: the item, folder, album, person
//! objects…), as `Serialize` types. Handlers and services fill them; nothing here reads the
//! catalog or knows a caller. Shapes one handler alone answers stay beside that handler.
pub mod folder;
pub mod item;
pub mod list;
pub mod person;
pub mod place;
pub mod upload;

pub use list::{Count, List};

use serde::Serialize;

/// `{}`: a write that answers no data but says so with an empty object, as a real NAS does.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Empty {}
