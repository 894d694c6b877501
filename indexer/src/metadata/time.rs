//! Dates as cameras record them: a wall-clock time with no zone, kept as seconds since the epoch
//! "as if UTC" (reference §4.1), plus the zone offset when the file states one.

pub use shoebox_catalog::time::{Taken, TakenSource};

pub use shoebox_catalog::time::{civil_from_days, days_from_civil, month_key};

/// Seconds for a wall-clock date and time, if every field is in range. Years before 1900 or
/// after 2200 are refused: cameras with an unset clock write such values.
pub fn wall_clock(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    let valid = (1900..=2200).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && h < 24
        && mi < 60
        && s < 61;
    valid.then(|| days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s.min(59)))
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// An ISO 8601 / XMP date: `2020-01-02`, `2020-01-02T03:04`, `2020-01-02T03:04:05.678+02:00`.
pub fn parse_iso(text: &str, source: TakenSource) -> Option<Taken> {
    let text = text.trim();
    let (date, rest) = text.split_at(text.find(['T', ' ']).unwrap_or(text.len()));
    let mut parts = date.split('-');
    let y = i64::from(digits(parts.next()?)?);
    let mo = parts.next().map_or(Some(1), digits)?;
    let d = parts.next().map_or(Some(1), digits)?;
    let rest = rest.trim_start_matches(['T', ' ']);
    let zone_at = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(zone_at);
    let (clock, frac) = clock.split_once('.').unwrap_or((clock, ""));
    let mut hms = clock.split(':').filter(|p| !p.is_empty());
    let h = hms.next().map_or(Some(0), digits)?;
    let mi = hms.next().map_or(Some(0), digits)?;
    let s = hms.next().map_or(Some(0), digits)?;
    let millis = frac
        .get(..frac.len().min(3))
        .and_then(|f| digits(&format!("{f:0<3}")))
        .unwrap_or(0);
    let offset_min = parse_offset(zone);
    Some(Taken {
        secs: wall_clock(y, mo, d, h, mi, s)?,
        millis: millis as u16,
        offset_min,
        source,
    })
}

/// `+02:00`, `-0530`, `Z`.
pub fn parse_offset(zone: &str) -> Option<i32> {
    let zone = zone.trim();
    if zone == "Z" {
        return Some(0);
    }
    let sign = match zone.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let body: String = zone[1..].chars().filter(char::is_ascii_digit).collect();
    if body.len() != 4 {
        return None;
    }
    let h = i32::try_from(digits(&body[..2])?).ok()?;
    let m = i32::try_from(digits(&body[2..])?).ok()?;
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-1000, 0, 11_017, 19_000, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            month_key(wall_clock(2023, 7, 14, 23, 59, 59).expect("valid")),
            202_307
        );
    }

    #[test]
    fn iso_dates() {
        let t = parse_iso("2020-01-02T03:04:05.6+02:00", TakenSource::Xmp).expect("parses");
        assert_eq!(t.secs, wall_clock(2020, 1, 2, 3, 4, 5).expect("valid"));
        assert_eq!((t.millis, t.offset_min), (600, Some(120)));
        let d = parse_iso("2019-07-04", TakenSource::Xmp).expect("date only");
        assert_eq!(d.secs, wall_clock(2019, 7, 4, 0, 0, 0).expect("valid"));
        assert_eq!(
            parse_iso("2019-07-04T10:00-05:30", TakenSource::Xmp).and_then(|t| t.offset_min),
            Some(-330)
        );
        assert!(parse_iso("0000-00-00", TakenSource::Xmp).is_none());
        assert!(parse_iso("garbage", TakenSource::Xmp).is_none());
    }
}
