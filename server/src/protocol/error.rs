//! The one error type of the API layer and the one place it becomes a DSM error code.

use axum::http::StatusCode;

use super::codes;

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing api, method or version")]
    NoRouting,
    #[error("no such API {0:?}")]
    NoSuchApi(String),
    #[error("no such method {method:?} in {api}")]
    NoSuchMethod { api: &'static str, method: String },
    #[error("{api} does not serve version {version}")]
    BadVersion { api: &'static str, version: String },
    #[error("no valid session")]
    NoSession,
    #[error("not allowed")]
    Forbidden,
    #[error("missing parameter {0:?}")]
    MissingParam(&'static str),
    #[error("bad parameter {name:?}: {why}")]
    BadParam { name: String, why: String },
    #[error("the request body is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    /// A file part sent to a method that takes no files.
    #[error("this method takes no files")]
    NoFiles,
    /// An upload from an address already sending as many as it may at once.
    #[error("too many uploads at once from this address")]
    Busy,
    #[error("wrong account or password")]
    WrongCredentials,
    #[error("account disabled")]
    AccountDisabled,
    #[error("address blocked after repeated failed sign-ins")]
    IpBlocked,
    #[error("not found")]
    NotFound,
    /// A resumable upload's chunk sent for another offset than the server's (`at`).
    #[error("the upload is at byte {at}")]
    Offset { at: u64 },
    /// The server cannot store what it was given (the disk is full); the message says so.
    #[error("{0}")]
    Storage(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad(name: impl Into<String>, why: impl Into<String>) -> Self {
        Self::BadParam {
            name: name.into(),
            why: why.into(),
        }
    }

    /// The DSM error code the client sees.
    pub fn code(&self) -> u32 {
        match self {
            Self::NoRouting => codes::NO_ROUTING,
            Self::NoSuchApi(_) => codes::NO_SUCH_API,
            Self::NoSuchMethod { .. } => codes::NO_SUCH_METHOD,
            Self::BadVersion { .. } => codes::BAD_VERSION,
            Self::NoSession => codes::NO_SESSION,
            Self::Forbidden => codes::FORBIDDEN,
            Self::MissingParam(_) => codes::MISSING_PARAM,
            Self::NoFiles => codes::NO_UPLOAD,
            Self::Busy => codes::BUSY,
            Self::BadParam { .. } | Self::TooLarge { .. } | Self::Offset { .. } => codes::BAD_PARAM,
            Self::WrongCredentials => codes::WRONG_CREDENTIALS,
            Self::AccountDisabled => codes::ACCOUNT_DISABLED,
            Self::IpBlocked => codes::IP_BLOCKED,
            Self::NotFound => codes::NOT_FOUND,
            Self::Storage(_) => codes::UNKNOWN,
            Self::Internal(_) => codes::UNKNOWN,
        }
    }

    /// API errors travel in a 200 response, as on DSM; only a body refused for its size gets a
    /// different status, since the client never got to make an API call.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::OK,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        Self::Internal(anyhow::Error::new(e).context("database"))
    }
}
pub use super::reply::ApiResult;
