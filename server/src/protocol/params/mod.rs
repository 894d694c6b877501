//! Request parameters, merged from the query string and the body (url-encoded or multipart), as
//! reference §1.2 requires, and read back with the JSON-literal rules it describes: a value may
//! be a JSON literal (`"x"`, `4`, `[1,2]`, `true`) or, for strings and numbers, bare text.
//!
//! Bodies are bounded before they are read: a declared length over the limit is refused without
//! reading, and an undeclared one is cut off at the limit. Multipart file parts stream to a
//! spool file and never sit in memory whole. A body is read in two steps: what may be read
//! before the caller is known ([`Params::read_head`]: the text fields up to the first file
//! part), then the file parts, only for a caller dispatch admitted ([`Files`]). A body that
//! stalls or comes too slowly is cut off (`limits.body_idle_secs`, `min_body_bytes_per_sec`).
//!
//! `head` reads the query and the body up to its first file part, `files` the file parts of an
//! admitted caller, `spool` writes one to disk, `body` bounds and drains a body, `values` holds
//! the parameters and reads them back typed.

mod body;
mod files;
mod head;
mod spool;
mod values;

pub use files::{Admitted, FilePart, Files};
pub use spool::UploadedFile;
pub use values::Params;
