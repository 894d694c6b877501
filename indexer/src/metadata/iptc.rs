//! IPTC-IIM, the older caption standard: JPEG APP13 "Photoshop 3.0" → 8BIM resource 0x0404 →
//! records 2:05 Object Name, 2:25 Keywords, 2:120 Caption. Used when the file has no XMP for
//! them.

use super::Metadata;

/// The IPTC records block of a JPEG, if any.
fn find_block(jpeg: &[u8]) -> Option<&[u8]> {
    let mut pos = 2;
    while pos + 4 <= jpeg.len() && jpeg[pos] == 0xFF {
        let marker = jpeg[pos + 1];
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        let segment = jpeg.get(pos + 4..pos + 2 + len)?;
        if marker == 0xED
            && let Some(resources) = segment.strip_prefix(b"Photoshop 3.0\0")
            && let Some(block) = find_8bim(resources, 0x0404)
        {
            return Some(block);
        }
        pos += 2 + len;
    }
    None
}

fn find_8bim(mut data: &[u8], wanted: u16) -> Option<&[u8]> {
    while data.len() >= 12 && data.starts_with(b"8BIM") {
        let id = u16::from_be_bytes([data[4], data[5]]);
        let name_len = usize::from(data[6]);
        let name_total = (1 + name_len + 1) & !1; // Pascal string padded to even length
        let at = 6 + name_total;
        let size = u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?) as usize;
        let body = data.get(at + 4..at + 4 + size)?;
        if id == wanted {
            return Some(body);
        }
        data = data.get(at + 4 + ((size + 1) & !1)..)?;
    }
    None
}

fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.trim().to_owned(),
        // Older files are Latin-1.
        Err(_) => bytes
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .trim()
            .to_owned(),
    }
}

/// Reads IPTC captions and keywords from `jpeg` into `meta` where XMP gave none.
pub fn apply(jpeg: &[u8], meta: &mut Metadata) {
    let Some(mut block) = find_block(jpeg) else {
        return;
    };
    let (mut title, mut caption, mut keywords) = (None, None, Vec::new());
    while block.len() >= 5 && block[0] == 0x1C {
        let (record, dataset) = (block[1], block[2]);
        let len = usize::from(u16::from_be_bytes([block[3], block[4]]));
        if len & 0x8000 != 0 {
            return; // extended lengths are only used for binary data
        }
        let Some(value) = block.get(5..5 + len) else {
            return;
        };
        if record == 2 {
            match dataset {
                5 => title = Some(text(value)),
                25 => keywords.push(text(value)),
                120 => caption = Some(text(value)),
                _ => {}
            }
        }
        block = &block[5 + len..];
    }
    meta.title = meta.title.take().or(title.filter(|t| !t.is_empty()));
    meta.description = meta
        .description
        .take()
        .or(caption.filter(|c| !c.is_empty()));
    if meta.keywords.is_empty() {
        meta.keywords = keywords.into_iter().filter(|k| !k.is_empty()).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_iptc_from_app13() {
        let mut iim = Vec::new();
        for (ds, v) in [
            (5u8, "A title"),
            (25, "one"),
            (25, "two words"),
            (120, "A caption"),
        ] {
            iim.extend_from_slice(&[0x1C, 2, ds]);
            iim.extend_from_slice(&(v.len() as u16).to_be_bytes());
            iim.extend_from_slice(v.as_bytes());
        }
        let mut res = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
        res.extend_from_slice(&(iim.len() as u32).to_be_bytes());
        res.extend_from_slice(&iim);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xED];
        jpeg.extend_from_slice(&((res.len() + 2) as u16).to_be_bytes());
        jpeg.extend_from_slice(&res);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2]);
        let mut meta = Metadata::default();
        apply(&jpeg, &mut meta);
        assert_eq!(meta.title.as_deref(), Some("A title"));
        assert_eq!(meta.description.as_deref(), Some("A caption"));
        assert_eq!(meta.keywords, ["one", "two words"]);
        let mut garbage = jpeg.clone();
        garbage.truncate(30);
        apply(&garbage, &mut Metadata::default());
    }
}
