//! Bytes over HTTP: a file of the library served with byte ranges (206, 416), validators
//! (`Last-Modified`, `If-Modified-Since`, `If-Range`) and the caching headers offline caches
//! need (reference §6), under a name of ours when it is a download.

use std::path::PathBuf;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;

use crate::protocol::error::{ApiError, ApiResult};

/// Sets header `name` of `response` (a value no header may hold is left out).
pub fn set(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, v);
    }
}

/// Serves a file of the library with ranges and validators; `content_type` and the download
/// name are ours, not guessed.
pub async fn serve_file(
    path: PathBuf,
    headers: &HeaderMap,
    content_type: &str,
    download_name: Option<&str>,
) -> ApiResult<Response> {
    let mut request = Request::builder().method(Method::GET).uri("/");
    // A range of another unit is left out: ServeFile would answer it 416.
    if let Some(spec) = byte_ranges(headers) {
        request = request.header(header::RANGE, format!("bytes={spec}"));
    }
    for name in [
        header::IF_RANGE,
        header::IF_MODIFIED_SINCE,
        header::IF_UNMODIFIED_SINCE,
    ] {
        if let Some(v) = headers.get(&name) {
            request = request.header(name, v);
        }
    }
    let request = request
        .body(Body::empty())
        .map_err(|e| ApiError::Internal(e.into()))?;
    if !tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Err(ApiError::NotFound);
    }
    let response = tower_http::services::ServeFile::new(&path)
        .oneshot(request)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("serving a file: {e}")))?;
    let mut response = response.map(Body::new);
    if response.status().is_success() {
        set(&mut response, header::CONTENT_TYPE, content_type);
        set(
            &mut response,
            header::CACHE_CONTROL,
            "private, max-age=0, must-revalidate",
        );
        if let Some(name) = download_name {
            set(
                &mut response,
                header::CONTENT_DISPOSITION,
                &content_disposition(name),
            );
        }
    }
    Ok(response)
}

/// Serves an opened file of a space from `offset` to its end (a Motion Photo's embedded video
/// starts inside its still), with validators (`Last-Modified`, `If-Modified-Since`,
/// `If-Range`) and one `Range` of the bytes (`bytes=a-b`, `a-`, `-n`) answered with 206, an
/// unsatisfiable one with 416.
pub async fn serve_open(
    mut file: tokio::fs::File,
    offset: u64,
    headers: &HeaderMap,
    content_type: &str,
    download_name: Option<&str>,
) -> ApiResult<Response> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let meta = file
        .metadata()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let total = meta
        .len()
        .checked_sub(offset)
        .filter(|n| *n > 0 || offset == 0)
        .ok_or(ApiError::NotFound)?;
    let modified = meta.modified().ok();
    let last_modified = modified.map(httpdate::fmt_http_date);
    let header_of = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let since =
        header_of(header::IF_MODIFIED_SINCE).and_then(|v| httpdate::parse_http_date(v).ok());
    let unchanged = |at: std::time::SystemTime| {
        modified
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs())
            <= at
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs())
    };
    let ranges = byte_ranges(headers);
    if ranges.is_none() && modified.is_some() && since.is_some_and(unchanged) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Some(v) = &last_modified {
            set(&mut response, header::LAST_MODIFIED, v);
        }
        return Ok(response);
    }
    // A range is for the version the client has (`If-Range`); otherwise the whole file.
    let range_applies = match header_of(header::IF_RANGE) {
        None => true,
        Some(v) => Some(v) == last_modified.as_deref(),
    };
    let range = ranges
        .filter(|_| range_applies)
        .map(|v| parse_range(v, total));
    let (start, len, status) = match range {
        None => (0, total, StatusCode::OK),
        Some(Some((a, b))) => (a, b - a + 1, StatusCode::PARTIAL_CONTENT),
        Some(None) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            set(
                &mut response,
                header::CONTENT_RANGE,
                &format!("bytes */{total}"),
            );
            return Ok(response);
        }
    };
    file.seek(std::io::SeekFrom::Start(offset + start))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file.take(len)));
    let mut response = (status, body).into_response();
    set(&mut response, header::CONTENT_TYPE, content_type);
    set(&mut response, header::CONTENT_LENGTH, &len.to_string());
    set(&mut response, header::ACCEPT_RANGES, "bytes");
    set(
        &mut response,
        header::CACHE_CONTROL,
        "private, max-age=0, must-revalidate",
    );
    if let Some(v) = &last_modified {
        set(&mut response, header::LAST_MODIFIED, v);
    }
    if let Some(name) = download_name {
        set(
            &mut response,
            header::CONTENT_DISPOSITION,
            &content_disposition(name),
        );
    }
    if status == StatusCode::PARTIAL_CONTENT {
        set(
            &mut response,
            header::CONTENT_RANGE,
            &format!("bytes {start}-{}/{total}", start + len - 1),
        );
    }
    Ok(response)
}

/// The ranges asked for by `Range` (what follows `bytes=`), when its unit is `bytes` (without
/// regard to case, RFC 9110 §14.1). A range of any other unit is ignored, as if the header
/// were not there (§14.2): the whole body is answered, not 416.
fn byte_ranges(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::RANGE)?.to_str().ok()?;
    let (unit, spec) = value.trim().split_once('=')?;
    unit.trim().eq_ignore_ascii_case("bytes").then_some(spec)
}

/// One byte range of a `total`-byte body from `spec` (the ranges of a `bytes=` header):
/// `Some((first, last))`, or `None` when unsatisfiable. Several ranges are answered with the
/// first.
fn parse_range(spec: &str, total: u64) -> Option<(u64, u64)> {
    let spec = spec.split(',').next()?.trim();
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        if n == 0 {
            return None;
        }
        return Some((total.saturating_sub(n), total - 1));
    }
    let first: u64 = a.parse().ok()?;
    let last = if b.is_empty() {
        total - 1
    } else {
        b.parse::<u64>().ok()?.min(total - 1)
    };
    (first <= last && first < total).then_some((first, last))
}

/// `attachment` with an ASCII fallback and the real name in RFC 5987 form.
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = form_urlencoded::byte_serialize(name.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_a_motion_photo_video() {
        assert_eq!(parse_range("0-99", 1000), Some((0, 99)));
        assert_eq!(parse_range("900-", 1000), Some((900, 999)));
        assert_eq!(parse_range("-100", 1000), Some((900, 999)));
        assert_eq!(parse_range("500-5000", 1000), Some((500, 999)));
        assert_eq!(parse_range("0-1,5-6", 1000), Some((0, 1)));
        for bad in ["1000-", "5-1", "-0", "x-1", ""] {
            assert_eq!(parse_range(bad, 1000), None, "{bad}");
        }
    }

    #[test]
    fn only_a_range_in_bytes_is_a_range() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::RANGE, value.parse().expect("value"));
            byte_ranges(&headers).map(str::to_owned)
        };
        assert_eq!(with("bytes=0-9").as_deref(), Some("0-9"));
        assert_eq!(with("Bytes=0-9").as_deref(), Some("0-9"));
        assert_eq!(with("items=0-10"), None);
        assert_eq!(with("0-10"), None);
        assert_eq!(byte_ranges(&HeaderMap::new()), None);
    }

    #[test]
    fn download_names_survive_any_characters() {
        assert_eq!(
            content_disposition("IMG 1.jpg"),
            "attachment; filename=\"IMG 1.jpg\"; filename*=UTF-8''IMG%201.jpg"
        );
        let d = content_disposition("Été \"x\".jpg");
        assert!(d.starts_with("attachment; filename=\"_t_ _x_.jpg\""), "{d}");
        assert!(
            d.ends_with("filename*=UTF-8''%C3%89t%C3%A9%20%22x%22.jpg"),
            "{d}"
        );
    }
}
