//! What of a request is read before its caller is known: the query string, a url-encoded form,
//! a multipart body's text fields up to its first file part.

use axum::http::header;
use futures_util::StreamExt;

use super::body::{DRAIN_CAP, MinRate, drain, drain_parts, malformed};
use super::files::{FilePart, Files, Pending};
use super::values::Params;
use crate::config::Limits;
use crate::protocol::error::{ApiError, ApiResult};

impl Params {
    /// Reads what of a request may be read before anyone asks who sends it: the query string,
    /// and of the body a url-encoded form (at most `max_body_bytes`) or a multipart body's text
    /// fields up to its first file part (each bounded as below). Body values override query
    /// values. The file parts are left unread in the [`Files`] returned, which only dispatch
    /// holds, and reads once it has admitted the caller.
    pub async fn read_head(
        parts: &axum::http::request::Parts,
        body: axum::body::Body,
        limits: &Limits,
    ) -> ApiResult<(Params, Files)> {
        let mut params = Params::default();
        if let Some(query) = parts.uri.query() {
            params.extend(form_urlencoded::parse(query.as_bytes()).into_owned())?;
        }
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Ok(boundary) = multer::parse_boundary(&content_type) {
            let limit = limits
                .max_upload_bytes
                .saturating_add(limits.max_body_bytes);
            if let Some(n) = declared.filter(|n| *n > limit) {
                // A body of a few megabytes is read and dropped so that the client gets the
                // answer rather than a reset connection; a larger one is not worth reading.
                if n <= DRAIN_CAP {
                    drain(&mut MinRate::new(body.into_data_stream(), limits), n).await;
                }
                return Err(ApiError::TooLarge { limit });
            }
            let stream = MinRate::new(body.into_data_stream(), limits);
            let mut multipart = multer::Multipart::new(stream, boundary);
            let mut text_bytes = 0u64;
            loop {
                let field = match multipart.next_field().await {
                    Ok(Some(field)) => field,
                    Ok(None) => return Ok((params, Files(None))),
                    Err(e) => return Err(malformed(e)),
                };
                if let Some(file_name) = field.file_name().map(str::to_owned) {
                    let first = FilePart {
                        field: field.name().unwrap_or("").to_owned(),
                        file_name: Some(file_name),
                    };
                    let pending = Pending {
                        multipart,
                        field,
                        first,
                        text_bytes,
                        declared,
                    };
                    return Ok((params, Files(Some(pending))));
                }
                if let Err(e) = params.read_text(field, limits, &mut text_bytes, true).await {
                    if let ApiError::TooLarge { .. } = e {
                        drain_parts(&mut multipart, None, DRAIN_CAP).await;
                    }
                    return Err(e);
                }
            }
        } else if declared != Some(0) && !axum::body::HttpBody::is_end_stream(&body) {
            let limit = limits.max_body_bytes;
            if declared.is_some_and(|n| n > limit) {
                return Err(ApiError::TooLarge { limit });
            }
            let mut stream = MinRate::new(body.into_data_stream(), limits);
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad("body", e.to_string()))?;
                if (bytes.len() + chunk.len()) as u64 > limit {
                    drain(&mut stream, DRAIN_CAP).await;
                    return Err(ApiError::TooLarge { limit });
                }
                bytes.extend_from_slice(&chunk);
            }
            // DSM clients send forms; a body of another type carries no parameters we read.
            if content_type.is_empty()
                || content_type.starts_with("application/x-www-form-urlencoded")
            {
                params.extend(form_urlencoded::parse(&bytes).into_owned())?;
            }
        }
        Ok((params, Files(None)))
    }
}
