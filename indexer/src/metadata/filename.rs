//! Dates in file names, the second-to-last resort: `IMG_20200101_123456.jpg`,
//! `PXL_20210315_101112345.jpg`, `20190704_080910.mp4`, `Screenshot_2020-01-01-12-34-56.png`,
//! `2020-01-01 12.34.56.jpg`, `VID-20200101-WA0001.mp4` (date only).

use super::time::{Taken, TakenSource, wall_clock};

/// The first plausible date in `name`.
pub fn date_in_name(name: &str) -> Option<Taken> {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let mut previous_digit = false;
    for (i, c) in stem.char_indices() {
        if c.is_ascii_digit()
            && !previous_digit
            && let Some(t) = date_at(&stem[i..])
        {
            return Some(t);
        }
        previous_digit = c.is_ascii_digit();
    }
    None
}

fn take_digits(s: &str, n: usize) -> Option<(u32, &str)> {
    let head = s.get(..n)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &s[n..]))
}

fn skip_sep(s: &str) -> &str {
    s.strip_prefix(['-', '_', '.', ' ', ':']).unwrap_or(s)
}

fn date_at(s: &str) -> Option<Taken> {
    let (y, r) = take_digits(s, 4)?;
    let (mo, r) = take_digits(skip_sep(r), 2)?;
    let (d, r) = take_digits(skip_sep(r), 2)?;
    // More digits straight after the day: an id or a counter, not a date.
    if r.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let time = r.strip_prefix(['-', '_', ' ', 'T']).and_then(|r| {
        let (h, r) = take_digits(r, 2)?;
        let (mi, r) = take_digits(skip_sep(r), 2)?;
        let (sec, r) = take_digits(skip_sep(r), 2)?;
        // Pixel phones append milliseconds: PXL_20210315_101112345.
        let millis = take_digits(r, 3)
            .filter(|(_, rest)| !rest.starts_with(|c: char| c.is_ascii_digit()))
            .map_or(0, |(ms, _)| ms);
        Some((h, mi, sec, millis))
    });
    let (h, mi, sec, millis) = time.unwrap_or((0, 0, 0, 0));
    let secs = wall_clock(i64::from(y), mo, d, h, mi, sec)?;
    Some(Taken {
        secs,
        millis: millis as u16,
        offset_min: None,
        source: TakenSource::Filename,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str) -> Option<i64> {
        date_in_name(name).map(|t| t.secs)
    }

    #[test]
    fn common_camera_and_phone_names() {
        let noon = wall_clock(2020, 1, 1, 12, 34, 56);
        assert_eq!(at("IMG_20200101_123456.jpg"), noon);
        assert_eq!(at("PXL_20200101_123456789.jpg"), noon);
        let pxl = date_in_name("PXL_20200101_123456789.jpg");
        assert_eq!(pxl.map(|t| t.millis), Some(789));
        assert_eq!(at("20200101_123456.mp4"), noon);
        assert_eq!(at("Screenshot_2020-01-01-12-34-56.png"), noon);
        assert_eq!(at("2020-01-01 12.34.56.jpg"), noon);
        assert_eq!(
            at("VID-20200101-WA0001.mp4"),
            wall_clock(2020, 1, 1, 0, 0, 0)
        );
    }

    #[test]
    fn no_date() {
        for name in [
            "Ünïcødé_20.jpg",
            "DSC01234.JPG",
            "IMG_1234.HEIC",
            "photo.jpg",
            "99999999_999999.jpg",
            "202001011234567890.jpg",
        ] {
            assert_eq!(at(name), None, "{name}");
        }
    }
}
