//! Shoebox's media side: where the library lives on disk and the catalogue database that indexes
//! it. The server crate builds the HTTP face on top; nothing here knows about HTTP or sessions.

pub mod background;
pub mod geocode;
pub mod heif;
pub mod indexer;
pub mod jobs;
pub mod library;
pub mod media;
pub mod metadata;
pub mod places;
pub mod preview;
pub mod process;
pub mod raw;
pub mod recognition;
pub mod scan;
pub mod thumbnail;
pub mod watch;
