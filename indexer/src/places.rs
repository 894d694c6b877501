//! Places: where a GPS position is, fully offline. The GeoNames "cities1000" table (every place
//! of 1,000 people or more, 144,563 rows, CC-BY 4.0) comes with the `reverse_geocoder` crate;
//! the nearest place gives the city, its first-level region and the country, whose English name
//! comes from the ISO 3166 table of the `isocountry` crate. No database server, no online
//! service.
//!
//! A position far from any place (the sea, a pole, the (0, 0) that broken GPS writes) has no
//! place rather than a made-up one.

use reverse_geocoder::ReverseGeocoder;

/// Farther than this from the nearest town, a position is "somewhere", not that town.
pub const MAX_DISTANCE_KM: f64 = 50.0;

const EARTH_RADIUS_KM: f64 = 6371.0;

/// Where a position is.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// ISO 3166-1 alpha-2, as GeoNames writes it ("FR").
    pub country_code: String,
    /// The country's English name ("France"); the code when the table does not know it.
    pub country: String,
    /// The first-level region, in the ASCII spelling of the table ("Ile-de-France"); empty
    /// where GeoNames has none.
    pub region: String,
    /// The nearest place of 1,000 people or more.
    pub city: String,
    /// How far the position is from that place.
    pub distance_km: f64,
}

/// The place table and its k-d tree, built once (about 0.1 s) and kept while needed.
pub struct Geocoder {
    inner: ReverseGeocoder,
}

impl Default for Geocoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Geocoder {
    pub fn new() -> Self {
        Self {
            inner: ReverseGeocoder::new(),
        }
    }

    /// The place at `latitude`, `longitude` (degrees), if the position is a real one near a
    /// known place.
    pub fn place(&self, latitude: f64, longitude: f64) -> Option<Place> {
        if !latitude.is_finite()
            || !longitude.is_finite()
            || latitude.abs() > 90.0
            || longitude.abs() > 180.0
        {
            return None;
        }
        // (0, 0) is what a camera without a fix writes far more often than anyone stands on
        // Null Island; it is also 570 km from land, which the distance cap catches anyway.
        if latitude == 0.0 && longitude == 0.0 {
            return None;
        }
        let found = self.inner.search((latitude, longitude));
        let distance_km = chord_to_km(found.distance);
        if distance_km > MAX_DISTANCE_KM {
            return None;
        }
        let record = found.record;
        let country = isocountry::CountryCode::for_alpha2(&record.cc)
            .map(|c| c.name().to_owned())
            .unwrap_or_else(|_| record.cc.clone());
        Some(Place {
            country_code: record.cc.clone(),
            country,
            region: record.admin1.clone(),
            city: record.name.clone(),
            distance_km,
        })
    }
}

/// The crate's distance is the squared straight-line (chord) distance between points on the
/// unit sphere; this is the great-circle distance in kilometres.
fn chord_to_km(squared_chord: f64) -> f64 {
    let chord = squared_chord.max(0.0).sqrt().min(2.0);
    2.0 * (chord / 2.0).asin() * EARTH_RADIUS_KM
}

/// The map grid (Web Mercator cells), kept with the catalog that stores them.
pub use shoebox_catalog::grid;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_places() {
        let g = Geocoder::new();
        let paris = g.place(48.8566, 2.3522).expect("Paris");
        assert_eq!(paris.country_code, "FR");
        assert_eq!(paris.country, "France");
        assert_eq!(paris.region, "Ile-de-France");
        assert!(paris.distance_km < 5.0, "{paris:?}");
        let tokyo = g.place(35.6812, 139.7671).expect("Tokyo");
        assert_eq!(tokyo.country_code, "JP");
        assert_eq!(tokyo.country, "Japan");
        assert_eq!(tokyo.region, "Tokyo");
        let sydney = g.place(-33.8568, 151.2153).expect("Sydney");
        assert_eq!(sydney.country_code, "AU");
        assert_eq!(sydney.region, "New South Wales");
        // Across the date line: east of it, 45 km from Egvekinot (longitude -179.12).
        let chukotka = g.place(66.32, 179.95).expect("Chukotka");
        assert_eq!(
            (chukotka.city.as_str(), chukotka.country_code.as_str()),
            ("Egvekinot", "RU")
        );
    }

    #[test]
    fn nowhere_is_no_place() {
        let g = Geocoder::new();
        assert_eq!(g.place(0.0, 0.0), None, "Null Island");
        assert_eq!(g.place(30.0, -40.0), None, "mid-Atlantic");
        assert_eq!(g.place(-89.9, 0.0), None, "near the South Pole");
        assert_eq!(g.place(f64::NAN, 2.0), None);
        assert_eq!(g.place(91.0, 2.0), None);
        assert_eq!(g.place(45.0, 181.0), None);
    }

    #[test]
    fn distances_are_kilometres() {
        // 1° of latitude is about 111.2 km.
        let one_degree = {
            let a = reverse_geocoder::degrees_lat_lng_to_unit_sphere(10.0, 20.0);
            let b = reverse_geocoder::degrees_lat_lng_to_unit_sphere(11.0, 20.0);
            a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>()
        };
        assert!((chord_to_km(one_degree) - 111.19).abs() < 0.1);
    }
}
