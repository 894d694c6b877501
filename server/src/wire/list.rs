//! The two envelopes most listings answer in: `{"list": [...]}` and `{"count": n}`.

use serde::Serialize;

/// `{"list": [...]}`.
#[derive(Debug, Clone, Serialize)]
pub struct List<T> {
    pub list: Vec<T>,
}

impl<T> List<T> {
    pub fn of(list: Vec<T>) -> List<T> {
        List { list }
    }
}

/// `{"count": n}`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Count {
    pub count: i64,
}

impl Count {
    pub fn of(count: usize) -> Count {
        Count {
            count: i64::try_from(count).unwrap_or(i64::MAX),
        }
    }
}
