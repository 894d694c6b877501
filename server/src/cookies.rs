//! The cookies the server reads and sets, in one place (docs/security.md "Cookies").

use axum::http::HeaderMap;

/// The cookie of a share link's guest session.
pub const GUEST_COOKIE: &str = "sharing_sid";

/// The value of cookie `name`, from any `Cookie` header.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value of every cookie the server sets (the session's `id`, the device's
/// `did`, a share guest's, `_SSID`): `Path=/`; `HttpOnly`, as no page script needs one;
/// `SameSite=Lax`, so a page on another site sends none with a POST or an embedded request;
/// `Secure` when the request came over HTTPS ([`crate::proxy::Client::https`]), so that a
/// cookie set over HTTPS never travels over plain HTTP. `max_age` in seconds, `None` for a
/// cookie that ends with the browser.
pub fn set_cookie(https: bool, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut cookie = format!("{name}={value}; Path=/");
    if let Some(secs) = max_age {
        cookie.push_str(&format!("; Max-Age={secs}"));
    }
    cookie.push_str("; HttpOnly; SameSite=Lax");
    if https {
        cookie.push_str("; Secure");
    }
    cookie
}
