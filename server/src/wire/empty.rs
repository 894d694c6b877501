//! The empty object `{}`: the answer of the many methods that only say they did it.

use serde::Serialize;

/// `{}` (a braced struct with no fields serializes as an empty object; a unit struct would be
/// `null`).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Empty {}
