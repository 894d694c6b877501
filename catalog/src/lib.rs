//! Shoebox's catalog: the only code that speaks SQL. The server and the indexer read and write
//! the database through these modules, one per family of tables (docs/architecture.md); the
//! schema is the numbered files in the top-level `migrations/` folder.

pub mod albums;
pub mod backup;
pub mod changes;
pub mod cluster;
pub mod db;
pub mod faces;
pub mod files;
pub mod geocoding;
pub mod grid;
pub mod indexing;
pub mod jobs;
pub mod library;
pub mod meta;
pub mod people;
pub mod places;
pub mod requests;
pub mod sessions;
pub mod settings;
pub mod shares;
pub mod thumb_reader;
pub mod time;
pub mod users;

/// Seconds since the Unix epoch, as stored in every `*_at` column.
pub use db::now_secs as now;
