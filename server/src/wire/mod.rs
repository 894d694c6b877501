//! The answer shapes several API families share (reference §4: the item, folder, album, person
//! objects…), as `Serialize` types. Handlers and services fill them; nothing here reads the
//! catalog or knows a caller. Shapes one handler alone answers stay beside that handler.
pub mod album;
pub mod folder;
pub mod item;
pub mod list;
pub mod person;
pub mod place;
pub mod sharing;
pub mod upload;

pub use list::{Count, Empty, List};
