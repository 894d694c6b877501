//! The account side of the database: users and their sessions. Handlers call these functions;
//! none of them builds SQL itself.

pub mod albums;
pub mod backup;
pub mod changes;
pub mod library;
pub mod people;
pub mod places;
pub mod requests;
pub mod sessions;
pub mod settings;
pub mod shares;
pub mod thumb_reader;
pub mod users;

/// Seconds since the Unix epoch, as stored in every `*_at` column.
pub use shoebox_indexer::db::now_secs as now;
