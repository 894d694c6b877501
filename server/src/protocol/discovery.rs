//! What `SYNO.API.Info` reports of each served API, read from the table when the server
//! starts and kept in the state (the table itself, which holds the handlers, stays with the
//! router).

/// One API as discovery describes it.
pub struct ApiInfo {
    pub name: &'static str,
    pub path: &'static str,
    pub min_version: u32,
    pub max_version: u32,
    /// `requestFormat: JSON` in API.Info: values are JSON literals (reference §1.2).
    pub json_format: bool,
}

/// The served APIs, by name.
#[derive(Default)]
pub struct Discovery {
    pub apis: Vec<ApiInfo>,
}

impl Discovery {
    pub fn iter(&self) -> impl Iterator<Item = &ApiInfo> {
        self.apis.iter()
    }
}
