//! Camera RAW files: Shoebox does not develop RAW data; it shows the JPEG preview the camera
//! embedded, the largest one found.

/// An embedded JPEG and its size.
pub struct Preview<'a> {
    pub bytes: &'a [u8],
    pub width: u32,
    pub height: u32,
}

/// The largest decodable JPEG inside `bytes` (at least 160 px on its long side).
pub fn largest_embedded_jpeg(bytes: &[u8]) -> Option<Preview<'_>> {
    let mut best: Option<Preview<'_>> = None;
    let mut decompressor = turbojpeg::Decompressor::new().ok()?;
    let mut at = 0;
    while let Some(found) = find_soi(&bytes[at..]) {
        let start = at + found;
        at = start + 3;
        let candidate = &bytes[start..];
        let Ok(header) = decompressor.read_header(candidate) else {
            continue;
        };
        let (w, h) = (header.width as u32, header.height as u32);
        if w.max(h) < 160 {
            continue;
        }
        if best
            .as_ref()
            .is_none_or(|b| u64::from(w) * u64::from(h) > u64::from(b.width) * u64::from(b.height))
        {
            best = Some(Preview {
                bytes: candidate,
                width: w,
                height: h,
            });
        }
    }
    best
}

fn find_soi(bytes: &[u8]) -> Option<usize> {
    bytes.windows(3).position(|w| w == [0xFF, 0xD8, 0xFF])
}
