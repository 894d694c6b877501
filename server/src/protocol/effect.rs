//! What a method does to what the server keeps: the dispatch table declares it for every
//! method, and the session rules hang on it.

/// What a method does to what the server keeps. Every method says it in the table, and the
/// session rules hang on it ([`crate::session::Presented::allows`], docs/security.md "CSRF"):
/// a method that changes something is refused when a GET authenticates it by the cookie alone,
/// since a browser sends a `SameSite=Lax` cookie with any top-level link a hostile page opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Changes nothing.
    Reads,
    /// Changes nothing, and is a URL a page shows or links to (a thumbnail, a video, a
    /// download): the browser sends it with the cookie and no header, so a session opened
    /// with `enable_syno_token` needs no SynoToken for it.
    ReadsMedia,
    /// Changes something (a setting, an account, a file, a session).
    Changes,
}

impl Effect {
    pub fn changes(self) -> bool {
        self == Effect::Changes
    }
}
