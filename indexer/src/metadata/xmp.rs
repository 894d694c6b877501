//! XMP: the RDF/XML packet that carries ratings, titles, keywords, dates, and the Google
//! (GPano, GCamera, Container) markers of panoramas and Motion Photos. Properties appear either
//! as attributes of `rdf:Description` or as child elements; both are read.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::Metadata;
use super::time::{TakenSource, parse_iso};

/// How far into a file the XMP packet is looked for.
pub const SCAN_BYTES: usize = 4 << 20;

/// The first `<x:xmpmeta>` … `</x:xmpmeta>` packet in `bytes`.
pub fn find_packet(bytes: &[u8]) -> Option<&[u8]> {
    let start = find(bytes, b"<x:xmpmeta")?;
    let end = find(&bytes[start..], b"</x:xmpmeta>")? + start + b"</x:xmpmeta>".len();
    Some(&bytes[start..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What the packet says, before it is merged into [`Metadata`].
#[derive(Debug, Default)]
pub struct Xmp {
    props: Vec<(String, String)>,
    /// `rdf:li` values under `dc:subject`, `dc:title`, `dc:description`.
    lists: Vec<(String, String)>,
    /// `Container:Directory` items: (semantic, length, padding).
    pub container_items: Vec<(String, u64, u64)>,
}

impl Xmp {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.props
            .iter()
            .rev()
            .find(|(k, _)| local(k) == name)
            .map(|(_, v)| v.as_str())
    }

    fn list(&self, name: &str) -> impl Iterator<Item = &str> {
        self.lists
            .iter()
            .filter(move |(k, _)| local(k) == name)
            .map(|(_, v)| v.as_str())
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Parses a packet; malformed XML yields whatever was read before the fault.
pub fn parse(packet: &[u8]) -> Xmp {
    let mut xmp = Xmp::default();
    let mut reader = Reader::from_reader(packet);
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut buf = Vec::new();
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match event {
            Event::Text(t) => text.push_str(&t.decode().unwrap_or_default()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                text.push_str(&resolve_entity(&name));
            }
            Event::Start(e) => {
                flush_text(&mut xmp, &stack, &mut text);
                read_attributes(&mut xmp, &e);
                stack.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Event::Empty(e) => {
                flush_text(&mut xmp, &stack, &mut text);
                read_attributes(&mut xmp, &e);
            }
            Event::End(_) => {
                flush_text(&mut xmp, &stack, &mut text);
                stack.pop();
            }
            _ => {}
        }
        buf.clear();
    }
    xmp
}

fn resolve_entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        _ => {
            let code = name
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()));
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_default()
        }
    }
}

/// Text belongs to the nearest ancestor that is not RDF plumbing; inside `rdf:li` it is a list
/// entry.
fn flush_text(xmp: &mut Xmp, stack: &[String], text: &mut String) {
    let value = text.trim().to_owned();
    text.clear();
    if value.is_empty() {
        return;
    }
    let Some(owner) = stack.iter().rev().find(|n| !n.starts_with("rdf:")).cloned() else {
        return;
    };
    if stack.last().is_some_and(|n| n == "rdf:li") {
        xmp.lists.push((owner, value));
    } else {
        xmp.props.push((owner, value));
    }
}

fn read_attributes(xmp: &mut Xmp, e: &quick_xml::events::BytesStart<'_>) {
    let mut semantic = None;
    let mut length = 0u64;
    let mut padding = 0u64;
    for attr in e.attributes().flatten() {
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if key.starts_with("xmlns") || key.starts_with("rdf:") || key.starts_with("xml:") {
            continue;
        }
        let Ok(value) = attr.unescape_value() else {
            continue;
        };
        match local(&key) {
            "Semantic" => semantic = Some(value.to_string()),
            "Length" => length = value.trim().parse().unwrap_or(0),
            "Padding" => padding = value.trim().parse().unwrap_or(0),
            _ => {}
        }
        xmp.props.push((key, value.into_owned()));
    }
    if let Some(semantic) = semantic {
        xmp.container_items.push((semantic, length, padding));
    }
}

/// Merges XMP into `meta`: EXIF wins where both have a value, except for what only XMP says.
pub fn apply(xmp: &Xmp, meta: &mut Metadata) {
    if meta.taken.is_none() {
        meta.taken = ["DateTimeOriginal", "DateCreated", "CreateDate"]
            .iter()
            .find_map(|name| xmp.get(name).and_then(|v| parse_iso(v, TakenSource::Xmp)));
    }
    if let Some(rating) = xmp.get("Rating").and_then(|r| r.trim().parse::<f64>().ok()) {
        meta.rating = rating.clamp(0.0, 5.0).round() as u8;
    }
    meta.title = meta
        .title
        .take()
        .or_else(|| xmp.list("title").next().map(str::to_owned));
    meta.description = meta
        .description
        .take()
        .or_else(|| xmp.list("description").next().map(str::to_owned));
    for keyword in xmp.list("subject") {
        let keyword = keyword.trim();
        if !keyword.is_empty()
            && !meta
                .keywords
                .iter()
                .any(|k| k.eq_ignore_ascii_case(keyword))
        {
            meta.keywords.push(keyword.to_owned());
        }
    }
    // 360°: equirectangular and the crop is the full panorama, unless the viewer is disabled
    // (the seed's definition).
    let num = |name: &str| xmp.get(name).and_then(|v| v.trim().parse::<u64>().ok());
    let equirect = xmp
        .get("ProjectionType")
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("equirectangular"));
    let full = num("FullPanoWidthPixels").is_some()
        && num("FullPanoWidthPixels") == num("CroppedAreaImageWidthPixels")
        && num("FullPanoHeightPixels") == num("CroppedAreaImageHeightPixels");
    let viewer_off = xmp
        .get("UsePanoramaViewer")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
    meta.pano = equirect && full && !viewer_off;
    // Motion Photos: the newer Container directory, or the legacy MicroVideo offset.
    let motion = xmp.get("MotionPhoto").is_some_and(|v| v.trim() == "1");
    let micro = xmp.get("MicroVideo").is_some_and(|v| v.trim() == "1");
    if motion {
        meta.motion_video_len = xmp
            .container_items
            .iter()
            .find(|(s, ..)| s.eq_ignore_ascii_case("MotionPhoto"))
            .map(|(_, len, pad)| len + pad)
            .filter(|len| *len > 0);
        meta.is_motion = true;
    } else if micro {
        meta.motion_video_len = num("MicroVideoOffset").filter(|len| *len > 0);
        meta.is_motion = meta.motion_video_len.is_some();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKET: &str = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description xmp:Rating="4" photoshop:DateCreated="2021-06-01T10:00:00+01:00"
        GPano:ProjectionType="equirectangular" GPano:FullPanoWidthPixels="4000" GPano:FullPanoHeightPixels="2000"
        GPano:CroppedAreaImageWidthPixels="4000" GPano:CroppedAreaImageHeightPixels="2000"
        GCamera:MotionPhoto="1">
        <dc:title><rdf:Alt><rdf:li xml:lang="x-default">Sunset</rdf:li></rdf:Alt></dc:title>
        <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>Holiday</rdf:li><rdf:li>Tom &amp; Jerry</rdf:li></rdf:Bag></dc:subject>
        <Container:Directory><rdf:Seq>
          <rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="Primary" Item:Mime="image/jpeg"/></rdf:li>
          <rdf:li rdf:parseType="Resource"><Container:Item Item:Semantic="MotionPhoto" Item:Mime="video/mp4" Item:Length="12345"/></rdf:li>
        </rdf:Seq></Container:Directory>
      </rdf:Description></rdf:RDF></x:xmpmeta>"#;

    #[test]
    fn reads_attributes_lists_and_container_items() {
        let bytes = format!("junk{PACKET}junk");
        let xmp = parse(find_packet(bytes.as_bytes()).expect("packet"));
        let mut meta = Metadata::default();
        apply(&xmp, &mut meta);
        assert_eq!(meta.rating, 4);
        assert_eq!(meta.title.as_deref(), Some("Sunset"));
        assert_eq!(meta.keywords, ["beach", "Holiday", "Tom & Jerry"]);
        assert!(meta.pano);
        assert!(meta.is_motion);
        assert_eq!(meta.motion_video_len, Some(12_345));
        let taken = meta.taken.expect("date");
        assert_eq!(
            (taken.source, taken.offset_min),
            (TakenSource::Xmp, Some(60))
        );
    }

    #[test]
    fn pano_needs_full_crop_and_viewer() {
        let partial = PACKET.replace(
            r#"GPano:CroppedAreaImageWidthPixels="4000""#,
            r#"GPano:CroppedAreaImageWidthPixels="3000""#,
        );
        let off = PACKET.replace(
            "GCamera:MotionPhoto",
            r#"GPano:UsePanoramaViewer="False" GCamera:MotionPhoto"#,
        );
        for packet in [partial, off] {
            let mut meta = Metadata::default();
            apply(&parse(packet.as_bytes()), &mut meta);
            assert!(!meta.pano);
        }
    }

    #[test]
    fn garbage_is_harmless() {
        let mut meta = Metadata::default();
        apply(&parse(b"<x:xmpmeta><<<&&& </broken"), &mut meta);
        assert_eq!(meta.rating, 0);
    }
}
