//! The numeric error codes of the DSM web API envelope `{"success":false,"error":{"code":N}}`.
//! Reference §7; where a code is only observed from Photos, the line says so.

/// Unknown error; also what an internal failure looks like to the client.
pub const UNKNOWN: u32 = 100;
/// `api`, `method` or `version` missing.
pub const NO_ROUTING: u32 = 101;
/// The API does not exist.
pub const NO_SUCH_API: u32 = 102;
/// The method does not exist in this API.
pub const NO_SUCH_METHOD: u32 = 103;
/// The API does not support this version.
pub const BAD_VERSION: u32 = 104;
/// The session may not do this.
pub const FORBIDDEN: u32 = 105;
/// "The network connection is unstable or the system is busy" (DSM's common codes): Shoebox
/// answers it to an upload from an address already sending as many as it may at once.
pub const BUSY: u32 = 109;
/// A required parameter is missing.
pub const MISSING_PARAM: u32 = 114;
/// "Not allowed to upload a file" (DSM's common codes): a file part sent to a method that
/// takes none.
pub const NO_UPLOAD: u32 = 115;
/// No valid session (clients sign in again on it).
pub const NO_SESSION: u32 = 119;
/// A parameter is malformed (seen from Photos on a bad request).
pub const BAD_PARAM: u32 = 120;
/// `SYNO.API.Auth`: no such account or wrong password.
pub const WRONG_CREDENTIALS: u32 = 400;
/// `SYNO.API.Auth`: the account is disabled.
pub const ACCOUNT_DISABLED: u32 = 401;
/// `SYNO.API.Auth`: the address is blocked after repeated failures (DSM auto-block).
pub const IP_BLOCKED: u32 = 407;
/// Photos: no access, or the item/album does not exist (observed, reference §7).
pub const NOT_FOUND: u32 = 642;
