//! The work of each job kind, one per file; the queue itself is the catalog's
//! (`shoebox_catalog::jobs`).

pub mod index;
pub mod thumbnail;

pub use shoebox_catalog::jobs::*;
