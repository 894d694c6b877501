//! The plain answers many methods give: a page of a listing (`{"list": […]}`), a count
//! (`{"count": n}`), and the empty object of a change that answers nothing (`{}`).

use serde::Serialize;

/// `{"list": […]}`
#[derive(Debug, Clone, Serialize)]
pub struct List<T> {
    pub list: Vec<T>,
}

impl<T> List<T> {
    pub fn of(list: Vec<T>) -> List<T> {
        List { list }
    }
}

/// `{"count": n}`
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Count {
    pub count: i64,
}

impl Count {
    /// The count of anything countable (`usize` lengths or `i64` sums; beyond `i64`, its
    /// largest value).
    pub fn of(count: impl TryInto<i64>) -> Count {
        Count {
            count: count.try_into().unwrap_or(i64::MAX),
        }
    }
}

/// `{}`: a braced struct with no fields is an empty object (a unit struct would be `null`).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Empty {}
