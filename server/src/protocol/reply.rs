//! What a handler answers and how it goes on the wire: the JSON envelope of reference §1.3,
//! cookies to set, or a raw response (files, thumbnails).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::error::ApiError;

enum Body {
    /// The whole envelope, serialized.
    Serialized(String),
    Failed(ApiError),
    Done,
    Raw(Response),
}

/// A successful answer.
pub struct Reply {
    body: Body,
    cookies: Vec<String>,
}

impl Reply {
    /// `{"success":true,"data":…}`, serialized straight from `data` (a `Serialize` answer type;
    /// a million-item timeline builds no `Value` tree on the way).
    pub fn data<T: serde::Serialize>(data: T) -> Self {
        #[derive(serde::Serialize)]
        struct Envelope<T> {
            success: bool,
            data: T,
        }
        let body = match serde_json::to_string(&Envelope {
            success: true,
            data,
        }) {
            Ok(text) => Body::Serialized(text),
            // Only a map with keys that are not strings fails; answer an error, not a panic.
            Err(e) => Body::Failed(ApiError::Internal(
                anyhow::Error::new(e).context("serializing a reply"),
            )),
        };
        Self {
            body,
            cookies: Vec::new(),
        }
    }

    /// `{"success":true}`
    pub fn done() -> Self {
        Self {
            body: Body::Done,
            cookies: Vec::new(),
        }
    }

    /// A response built by the handler (a file, an image).
    pub fn raw(response: Response) -> Self {
        Self {
            body: Body::Raw(response),
            cookies: Vec::new(),
        }
    }

    /// Adds a `Set-Cookie` header value.
    pub fn cookie(mut self, cookie: String) -> Self {
        self.cookies.push(cookie);
        self
    }
}

fn json_response(status: axum::http::StatusCode, value: &Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = match self.body {
            Body::Failed(error) => return error.into_response(),
            Body::Serialized(text) => {
                let mut response = (axum::http::StatusCode::OK, text).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=utf-8"),
                );
                response
            }
            Body::Done => json_response(axum::http::StatusCode::OK, &json!({"success": true})),
            Body::Raw(response) => response,
        };
        for cookie in self.cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(e) => tracing::error!(error = ?e, "request failed"),
            other => tracing::debug!(error = %other, "request refused"),
        }
        let mut error = json!({"code": self.code()});
        if let ApiError::Storage(message) = &self {
            // Said in words too: the code alone reads as an unknown error.
            error["errors"] = json!({"reason": message});
        }
        // Which parameter and why, in the shape Synology Photos gives its own 120s
        // (`"errors": {"name": "id", "reason": "required"}`): a client can show it.
        if let ApiError::BadParam { name, why } = &self {
            error["errors"] = json!({"name": name, "reason": why});
        }
        if let ApiError::MissingParam(name) = &self {
            error["errors"] = json!({"name": name, "reason": "required"});
        }
        if let ApiError::Offset { at } = &self {
            // The offset to go on from, so the client need not ask.
            error["errors"] = json!({"name": "offset", "offset": at, "reason": self.to_string()});
        }
        json_response(self.status(), &json!({"success": false, "error": error}))
    }
}

pub type ApiResult<T = Reply> = Result<T, ApiError>;
