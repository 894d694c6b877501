//! The merged parameters of one request, read back with reference §1.2's JSON-literal rules.

use std::collections::HashMap;

use serde_json::Value;

use super::spool::UploadedFile;
use crate::protocol::error::{ApiError, ApiResult};

/// More distinct parameters than any client sends; past this the request is refused.
const MAX_PARAMS: usize = 512;

/// The merged parameters of one request.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
    pub files: Vec<UploadedFile>,
}

/// The text of a JSON string literal (`"abc"`), or `None` for anything else. Most values are
/// bare text: they are not handed to the JSON parser at all (its error is an allocation).
fn json_string(raw: &str) -> Option<String> {
    if raw.trim_start().starts_with('"') {
        serde_json::from_str::<String>(raw).ok()
    } else {
        None
    }
}

impl Params {
    /// Takes the file parts named any of `fields` out of the request, in order.
    pub fn take_files(&mut self, fields: &[&str]) -> Vec<UploadedFile> {
        let (taken, kept) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|f| fields.contains(&f.field.as_str()));
        self.files = kept;
        taken
    }

    pub(super) fn extend(
        &mut self,
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> ApiResult<()> {
        for (k, v) in pairs {
            self.values.insert(k, v);
            if self.values.len() > MAX_PARAMS {
                return Err(ApiError::bad(
                    "request",
                    format!("more than {MAX_PARAMS} parameters"),
                ));
            }
        }
        Ok(())
    }

    /// Sets a value, as decrypted login fields do.
    pub fn insert(&mut self, key: String, value: String) {
        self.values.insert(key, value);
    }

    /// Forgets a value (a parameter the server sets itself).
    pub fn remove(&mut self, key: &str) {
        self.values.remove(key);
    }

    /// The value exactly as sent.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A routing value (`api`, `method`, `version`): one layer of JSON quotes stripped.
    pub fn routing(&self, key: &str) -> Option<String> {
        let raw = self.raw(key)?.trim();
        let value = json_string(raw).unwrap_or_else(|| raw.to_owned());
        Some(value).filter(|v| !v.is_empty())
    }

    /// A string field: a JSON string literal, or the bare text.
    pub fn string(&self, key: &str) -> Option<String> {
        let raw = self.raw(key)?;
        Some(json_string(raw).unwrap_or_else(|| raw.to_owned()))
    }

    /// A string field that must be present.
    pub fn required_string(&self, key: &'static str) -> ApiResult<String> {
        self.string(key).ok_or(ApiError::MissingParam(key))
    }

    /// An integer field: `4` or `"4"`.
    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let text = json_string(raw).unwrap_or_else(|| raw.trim().to_owned());
        text.parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad(key, "not an integer"))
    }

    /// A finite number: `2.35` or `"2.35"`.
    pub fn float(&self, key: &str) -> ApiResult<Option<f64>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let text = json_string(raw).unwrap_or_else(|| raw.trim().to_owned());
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(ApiError::bad(key, "not a number")),
        }
    }

    /// An integer list: `[1,2]`, `["1","2"]`, or one bare integer.
    pub fn int_list(&self, key: &str) -> ApiResult<Option<Vec<i64>>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let bad = || ApiError::bad(key, "not a list of integers");
        match serde_json::from_str::<Value>(raw).map_err(|_| bad())? {
            Value::Array(items) => items
                .iter()
                .map(|v| match v {
                    Value::Number(n) => n.as_i64().ok_or_else(bad),
                    Value::String(s) => s.parse().map_err(|_| bad()),
                    _ => Err(bad()),
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Value::Number(n) => n.as_i64().map(|n| Some(vec![n])).ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// A boolean field: `true`/`false`, quoted or not; `yes`/`no` and `1`/`0` as DSM forms use.
    pub fn bool(&self, key: &str) -> ApiResult<Option<bool>> {
        let Some(raw) = self.string(key) else {
            return Ok(None);
        };
        match raw.trim() {
            "true" | "yes" | "1" => Ok(Some(true)),
            "false" | "no" | "0" => Ok(Some(false)),
            _ => Err(ApiError::bad(key, "not a boolean")),
        }
    }

    /// A list of strings: `["a","b"]`, one JSON string, or bare comma-separated text.
    pub fn string_list(&self, key: &str) -> ApiResult<Option<Vec<String>>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let bad = || ApiError::bad(key, "not a list of strings");
        match serde_json::from_str::<Value>(raw) {
            Ok(Value::Array(items)) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    _ => Err(bad()),
                })
                .collect::<ApiResult<Vec<_>>>()
                .map(Some),
            Ok(Value::String(s)) => Ok(Some(vec![s])),
            Ok(_) => Err(bad()),
            Err(_) => Ok(Some(
                raw.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
            )),
        }
    }

    /// A field that must be JSON (arrays, objects).
    pub fn json(&self, key: &str) -> ApiResult<Option<Value>> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        serde_json::from_str(raw)
            .map(Some)
            .map_err(|_| ApiError::bad(key, "not JSON"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        let mut p = Params::default();
        for (k, v) in pairs {
            p.insert((*k).into(), (*v).into());
        }
        p
    }

    #[test]
    fn json_literals_and_bare_values() {
        let p = params(&[
            ("a", "\"SYNO.Foto.Thumbnail\""),
            ("b", "takentime"),
            ("id", "\"4\""),
            ("n", "7"),
            ("ids", "[1,\"2\"]"),
            ("one", "5"),
            ("t", "true"),
            ("bad", "[1,"),
        ]);
        assert_eq!(p.routing("a").as_deref(), Some("SYNO.Foto.Thumbnail"));
        assert_eq!(p.string("b").as_deref(), Some("takentime"));
        assert_eq!(p.int("id").expect("int"), Some(4));
        assert_eq!(p.int("n").expect("int"), Some(7));
        assert_eq!(p.int_list("ids").expect("list"), Some(vec![1, 2]));
        assert_eq!(p.int_list("one").expect("list"), Some(vec![5]));
        assert_eq!(p.bool("t").expect("bool"), Some(true));
        assert!(p.int_list("bad").is_err());
        assert!(p.int("b").is_err());
        assert_eq!(p.int("missing").expect("absent"), None);
    }
}
