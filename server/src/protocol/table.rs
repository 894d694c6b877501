//! The table's types: an API (its name, CGI path, versions, space, and flags such as
//! `json_format`), its methods (who may call them, whether they change anything, the file
//! gate of an upload) and the builder `api::table` writes the served table with. Dispatch reads
//! the table through these types and knows no API by name.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::call::Call;
pub use super::call::Space;
pub use super::effect::Effect;
use super::error::ApiResult;
use super::params::FilePart;
use Effect::Changes;

/// Who may call a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: discovery and sign-in.
    Public,
    /// A signed-in user.
    User,
    /// A signed-in user, or a guest holding a share link (`SYNO.Core.Sharing.Login`): the
    /// handler limits a guest to what the link covers.
    Shared,
}

type BoxFuture = Pin<Box<dyn Future<Output = ApiResult> + Send>>;
pub type Handler = Arc<dyn Fn(Call) -> BoxFuture + Send + Sync>;

/// What a method that takes files checks before any of them is read, once its access check
/// has passed: that the caller may send them where the request says (`first`: the first file
/// part, its content unread). `Some(n)` holds each file to `n` bytes (a Photo Request link's
/// room left). The rule it serves is `dispatch::admit_files`'s.
pub type FileGate = for<'a> fn(
    &'a Call,
    &'a FilePart,
) -> futures_util::future::BoxFuture<'a, ApiResult<Option<u64>>>;

pub struct Method {
    pub access: Access,
    pub effect: Effect,
    pub handler: Handler,
    /// `None`: the method takes no files, and a file part sent to it is refused unread (115).
    pub files: Option<FileGate>,
}

pub struct Api {
    pub name: &'static str,
    pub path: &'static str,
    pub min_version: u32,
    pub max_version: u32,
    /// `requestFormat: JSON` in API.Info: values are JSON literals (reference §1.2).
    pub json_format: bool,
    pub methods: BTreeMap<&'static str, Method>,
    /// The space the API speaks for (`SYNO.Foto.*` personal, `SYNO.FotoTeam.*` shared).
    pub space: Space,
    /// Its sessions are trusted from a read a moment ago (thumbnails come by the hundred per
    /// screen; [`crate::services::recent`]).
    pub recent_session: bool,
    /// Served on the REST thumbnail path `/synofoto/api/v2/{p|t}/Thumbnail/get` under this
    /// segment, by its `get` method.
    pub rest_thumbnail: Option<&'static str>,
}

impl Api {
    pub fn new(
        name: &'static str,
        path: &'static str,
        versions: std::ops::RangeInclusive<u32>,
    ) -> Self {
        Self {
            name,
            path,
            min_version: *versions.start(),
            max_version: *versions.end(),
            json_format: false,
            space: Space::None,
            recent_session: false,
            rest_thumbnail: None,
            methods: BTreeMap::new(),
        }
    }

    pub fn method<F, Fut>(
        mut self,
        access: Access,
        effect: Effect,
        name: &'static str,
        f: F,
    ) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |call| Box::pin(f(call)));
        self.methods.insert(
            name,
            Method {
                access,
                effect,
                handler,
                files: None,
            },
        );
        self
    }

    /// A method whose body carries files (an upload: it changes state): read only for a caller
    /// who passed `access` and whom `gate` lets through (`dispatch::admit_files`).
    pub fn with_files<F, Fut>(
        self,
        name: &'static str,
        access: Access,
        gate: FileGate,
        f: F,
    ) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiResult> + Send + 'static,
    {
        let mut api = self.method(access, Changes, name, f);
        if let Some(method) = api.methods.get_mut(name) {
            method.files = Some(gate);
        }
        api
    }

    /// A signed-in user's upload.
    pub fn user_files<F, Fut>(self, name: &'static str, gate: FileGate, f: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiResult> + Send + 'static,
    {
        self.with_files(name, Access::User, gate, f)
    }

    /// An upload without a session: only through a link whose `gate` checks it and holds its
    /// files to the link's limits (Photo Requests).
    pub fn public_files<F, Fut>(self, name: &'static str, gate: FileGate, f: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiResult> + Send + 'static,
    {
        self.with_files(name, Access::Public, gate, f)
    }

    pub fn public<F, Fut>(self, effect: Effect, name: &'static str, f: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiResult> + Send + 'static,
    {
        self.method(Access::Public, effect, name, f)
    }

    pub fn user<F, Fut>(self, effect: Effect, name: &'static str, f: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiResult> + Send + 'static,
    {
        self.method(Access::User, effect, name, f)
    }

    pub fn shared<F, Fut>(self, effect: Effect, name: &'static str, f: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ApiResult> + Send + 'static,
    {
        self.method(Access::Shared, effect, name, f)
    }
}

/// The served APIs by name.
pub struct ApiTable {
    apis: BTreeMap<&'static str, Api>,
}

impl ApiTable {
    /// The table of `apis` (names are unique).
    pub fn new(apis: Vec<Api>) -> Self {
        Self {
            apis: apis.into_iter().map(|api| (api.name, api)).collect(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&Api> {
        self.apis.get(name)
    }

    /// The API served on the REST thumbnail path's `segment` (`p`, `t`).
    pub fn rest_thumbnail(&self, segment: &str) -> Option<&Api> {
        self.apis
            .values()
            .find(|api| api.rest_thumbnail == Some(segment))
    }

    /// What `SYNO.API.Info` reports: every API, in name order.
    pub fn discovery(&self) -> super::discovery::Discovery {
        let apis = self
            .apis
            .values()
            .map(|api| super::discovery::ApiInfo {
                name: api.name,
                path: api.path,
                min_version: api.min_version,
                max_version: api.max_version,
                json_format: api.json_format,
            })
            .collect();
        super::discovery::Discovery { apis }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Api> {
        self.apis.values()
    }
}
