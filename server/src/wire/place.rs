//! Places and the map (docs/protocol-choices.md "Places and the map"): the place object of
//! `Browse.Geocoding`, the place tree of `Search.Filter list`, the days of
//! `Browse.Timeline get_geocoding` and the clusters of `Browse.Map list_cluster`.

use serde::Serialize;

use super::person::CoverAdditional;

/// A place (country, region or city) with the caller's items in it.
#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub id: i64,
    pub name: String,
    /// 1 country, 2 region, 3 city.
    pub level: i64,
    /// 0 for a country.
    pub parent: i64,
    /// The country's name.
    pub country: String,
    pub country_id: i64,
    pub country_code: String,
    pub item_count: i64,
    pub additional: CoverAdditional,
}

/// A node of the place tree: countries, their regions, their cities.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceBranch {
    pub id: i64,
    pub level: i64,
    pub name: String,
    pub children: Vec<PlaceBranch>,
}

/// A day of `get_geocoding` and the cities its items were taken in.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceDay {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub geocoding: Vec<DayPlace>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayPlace {
    pub id: i64,
    pub name: String,
    pub country: String,
    pub item_count: i64,
}

/// `list_cluster`'s answer: the cells and the items in the box.
#[derive(Debug, Clone, Serialize)]
pub struct Clusters {
    pub list: Vec<Cluster>,
    pub total: i64,
}

/// A cell of the map's grid with the caller's items in it.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// The mean position of its items.
    pub latitude: f64,
    pub longitude: f64,
    pub item_count: i64,
    pub bounds: Bounds,
    pub additional: CoverAdditional,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bounds {
    pub north: f64,
    pub south: f64,
    pub east: f64,
    pub west: f64,
}
