//! The map grid: Web Mercator tiles, as web maps draw them. A position's cell packs its zoom-12
//! and zoom-24 tiles into one integer (migration 0012): `y12 << 36 | x12 << 24 | y_low << 12 |
//! x_low`, so the items of one zoom-12 tile, or of a run of tiles in one row, are one range.

/// The finest zoom a cell records.
pub const FINE: u32 = 24;
/// The zoom of the per-space tile counts (`map_cells`).
pub const COARSE: u32 = 12;
/// Web Mercator stops short of the poles.
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_6;

const FINE_SIZE: f64 = (1u64 << FINE) as f64;
const LOW_MASK: i64 = (1 << (FINE - COARSE)) - 1;

/// Whether a position is one the map shows: finite, on the globe, and not the (0, 0) a
/// camera without a fix writes.
pub fn is_real(latitude: f64, longitude: f64) -> bool {
    latitude.is_finite()
        && longitude.is_finite()
        && latitude.abs() <= 90.0
        && longitude.abs() <= 180.0
        && !(latitude == 0.0 && longitude == 0.0)
}

/// The fractional tile coordinates of a position at zoom 0 (0..1 each way, y down).
pub fn unit_xy(latitude: f64, longitude: f64) -> (f64, f64) {
    let lat = latitude.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    let x = (longitude + 180.0) / 360.0;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / std::f64::consts::PI) / 2.0;
    (x.clamp(0.0, 1.0), y.clamp(0.0, 1.0))
}

/// The position at fractional zoom-0 tile coordinates.
pub fn position(x: f64, y: f64) -> (f64, f64) {
    let n = std::f64::consts::PI * (1.0 - 2.0 * y);
    let latitude = n.sinh().atan().to_degrees();
    (latitude, x * 360.0 - 180.0)
}

/// The zoom-24 tile of a position.
pub fn fine_tile(latitude: f64, longitude: f64) -> (i64, i64) {
    let (x, y) = unit_xy(latitude, longitude);
    let max = (1i64 << FINE) - 1;
    let t = |v: f64| ((v * FINE_SIZE) as i64).clamp(0, max);
    (t(x), t(y))
}

/// The cell of a position, `None` for one the map does not show.
pub fn cell(latitude: f64, longitude: f64) -> Option<i64> {
    if !is_real(latitude, longitude) {
        return None;
    }
    let (x, y) = fine_tile(latitude, longitude);
    Some(pack(x, y))
}

/// The cell of zoom-24 tile (x, y).
pub fn pack(x: i64, y: i64) -> i64 {
    let shift = FINE - COARSE;
    (y >> shift) << 36 | (x >> shift) << 24 | (y & LOW_MASK) << 12 | (x & LOW_MASK)
}

/// The zoom-24 tile (x, y) of a cell.
pub fn unpack(cell: i64) -> (i64, i64) {
    let shift = FINE - COARSE;
    let y = (cell >> 36) << shift | ((cell >> 12) & LOW_MASK);
    let x = ((cell >> 24) & LOW_MASK) << shift | (cell & LOW_MASK);
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip() {
        for (lat, lon) in [
            (48.8566, 2.3522),
            (-33.86, 151.2),
            (66.3, -179.99),
            (0.0, 0.1),
        ] {
            let c = cell(lat, lon).expect("a real position");
            let (x, y) = unpack(c);
            assert_eq!(pack(x, y), c);
            let (la, lo) = position((x as f64 + 0.5) / FINE_SIZE, (y as f64 + 0.5) / FINE_SIZE);
            assert!(
                (la - lat).abs() < 1e-4 && (lo - lon).abs() < 1e-4,
                "{la} {lo}"
            );
            // The zoom-12 tile is the cell's top bits.
            assert_eq!(c >> 24, (y >> 12) << 12 | (x >> 12));
        }
        assert_eq!(cell(0.0, 0.0), None);
        assert_eq!(cell(f64::NAN, 1.0), None);
        assert_eq!(cell(91.0, 1.0), None);
        // Tiles of one row of zoom-12 tiles are one range: west to east, ascending.
        let a = cell(48.85, 2.0).expect("cell");
        let b = cell(48.85, 3.0).expect("cell");
        assert!(a < b && a >> 36 == b >> 36);
    }
}
