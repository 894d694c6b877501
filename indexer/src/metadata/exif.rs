//! EXIF, through kamadak-exif: from JPEG, TIFF (and TIFF-based RAW), HEIF/AVIF, PNG and WebP.

use std::io::{BufRead, Seek};

use exif::{Exif, In, Tag, Value};

use super::Metadata;
use super::time::{Taken, TakenSource, wall_clock};

/// Reads the EXIF block of `reader` into `meta`; files without EXIF leave it untouched.
pub fn read(reader: &mut (impl BufRead + Seek), meta: &mut Metadata) {
    let Ok(exif) = exif::Reader::new().read_from_container(reader) else {
        return;
    };
    apply(&exif, meta);
}

/// Reads a bare EXIF block (a TIFF header onwards), as HEIF and video containers carry it.
pub fn read_raw(block: Vec<u8>, meta: &mut Metadata) {
    if let Ok(exif) = exif::Reader::new().read_raw(block) {
        apply(&exif, meta);
    }
}

fn text(exif: &Exif, tag: Tag) -> Option<String> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    let Value::Ascii(parts) = &field.value else {
        return None;
    };
    let joined: Vec<String> = parts
        .iter()
        .map(|p| {
            String::from_utf8_lossy(p)
                .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                .to_owned()
        })
        .filter(|s| !s.is_empty())
        .collect();
    Some(joined.join(" ")).filter(|s| !s.is_empty())
}

fn uint(exif: &Exif, tag: Tag) -> Option<u32> {
    exif.get_field(tag, In::PRIMARY)?.value.get_uint(0)
}

fn real(exif: &Exif, tag: Tag) -> Option<f64> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    let v = match &field.value {
        Value::Rational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        other => other.get_uint(0).map(f64::from),
    }?;
    v.is_finite().then_some(v)
}

fn date(exif: &Exif, tag: Tag, subsec: Tag, offset: Tag) -> Option<Taken> {
    let field = exif.get_field(tag, In::PRIMARY)?;
    let Value::Ascii(parts) = &field.value else {
        return None;
    };
    let mut dt = exif::DateTime::from_ascii(parts.first()?).ok()?;
    if let Some(Value::Ascii(s)) = exif.get_field(subsec, In::PRIMARY).map(|f| &f.value) {
        let _ = s.first().map(|s| dt.parse_subsec(s));
    }
    if let Some(Value::Ascii(s)) = exif.get_field(offset, In::PRIMARY).map(|f| &f.value) {
        let _ = s.first().map(|s| dt.parse_offset(s));
    }
    let secs = wall_clock(
        i64::from(dt.year),
        u32::from(dt.month),
        u32::from(dt.day),
        u32::from(dt.hour),
        u32::from(dt.minute),
        u32::from(dt.second),
    )?;
    let millis = dt.nanosecond.map_or(0, |n| (n / 1_000_000).min(999) as u16);
    Some(Taken {
        secs,
        millis,
        offset_min: dt.offset.map(i32::from),
        source: TakenSource::Exif,
    })
}

fn gps_coordinate(exif: &Exif, value: Tag, reference: Tag, negative: u8) -> Option<f64> {
    let field = exif.get_field(value, In::PRIMARY)?;
    let Value::Rational(parts) = &field.value else {
        return None;
    };
    if parts.len() < 3 || parts.iter().take(3).any(|r| r.denom == 0) {
        return None;
    }
    let deg = parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0;
    let sign = match exif.get_field(reference, In::PRIMARY).map(|f| &f.value) {
        Some(Value::Ascii(r)) if r.first().and_then(|r| r.first()) == Some(&negative) => -1.0,
        _ => 1.0,
    };
    Some(sign * deg).filter(|v| v.is_finite())
}

fn apply(exif: &Exif, meta: &mut Metadata) {
    let taken = date(
        exif,
        Tag::DateTimeOriginal,
        Tag::SubSecTimeOriginal,
        Tag::OffsetTimeOriginal,
    )
    .or_else(|| {
        date(
            exif,
            Tag::DateTimeDigitized,
            Tag::SubSecTimeDigitized,
            Tag::OffsetTimeDigitized,
        )
    })
    .or_else(|| date(exif, Tag::DateTime, Tag::SubSecTime, Tag::OffsetTime));
    if taken.is_some() {
        meta.taken = taken;
    }
    if let Some(o) = uint(exif, Tag::Orientation).filter(|o| (1..=8).contains(o)) {
        meta.orientation = o as u8;
    }
    meta.make = text(exif, Tag::Make).or(meta.make.take());
    meta.model = text(exif, Tag::Model).or(meta.model.take());
    // Some cameras put LensModel in IFD0 instead of the Exif IFD.
    meta.lens = text(exif, Tag::LensModel)
        .or_else(|| text(exif, Tag(exif::Context::Tiff, Tag::LensModel.number())))
        .or(meta.lens.take());
    meta.focal_length = real(exif, Tag::FocalLength).or(meta.focal_length);
    meta.aperture = real(exif, Tag::FNumber).or(meta.aperture);
    if let Some(field) = exif.get_field(Tag::ExposureTime, In::PRIMARY)
        && let Value::Rational(v) = &field.value
    {
        meta.exposure = v.first().filter(|r| r.denom != 0 && r.num != 0).map(|r| {
            if r.num < r.denom {
                format!("1/{}", (f64::from(r.denom) / f64::from(r.num)).round())
            } else {
                format!("{}", r.to_f64())
            }
        });
    }
    meta.iso = uint(exif, Tag::PhotographicSensitivity).or(meta.iso);
    meta.flash = uint(exif, Tag::Flash).map(|f| f as u16).or(meta.flash);
    let lat = gps_coordinate(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S');
    let lon = gps_coordinate(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W');
    if let (Some(lat), Some(lon)) = (lat, lon) {
        // 0,0 is kept as written; naming a place for it is the geocoder's business.
        if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
            meta.gps = Some((lat, lon));
        }
    }
    if meta.width == 0 || meta.height == 0 {
        let w = uint(exif, Tag::PixelXDimension).or_else(|| uint(exif, Tag::ImageWidth));
        let h = uint(exif, Tag::PixelYDimension).or_else(|| uint(exif, Tag::ImageLength));
        if let (Some(w), Some(h)) = (w, h) {
            meta.width = w;
            meta.height = h;
        }
    }
}
