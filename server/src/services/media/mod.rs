//! Media delivery: thumbnails, originals, video streams and download zips for the items a
//! caller was found to see, with the rights they have on each (reference §3.2, §3.3, §3.13,
//! §6). Files are served from disk with byte ranges, validators and caching headers.

pub mod files;
pub mod serve;
pub mod thumbnail;
pub mod zip;
