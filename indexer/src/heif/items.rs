//! Whether a HEIF file holds all the data of its primary image, read from the `meta` box alone:
//! the primary item (`pitm`), the tiles a grid is made of (`dimg` references in `iref`) and
//! where each item's data lies (`iloc`). A file cut short, or a grid whose tile is gone, is
//! refused here, before libheif (which, decoding leniently, fills a lost tile with solid green)
//! is asked for pixels. Only the box headers before `meta` and the `meta` box itself are read,
//! never the image data: the check costs the same for a 2 MP and a 200 MP file.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

/// Largest `meta` box read. An iPhone's is a few KB; the 200 MP Galaxy S24 Ultra's, with 768
/// tiles, about 30 KB. A larger one is left to libheif (whose own limits apply).
const MAX_META: u64 = 16 << 20;
/// Top-level boxes looked at before giving up on finding `meta` (it follows `ftyp`).
const MAX_TOP_BOXES: usize = 64;
/// How deep grids of grids are followed.
const MAX_DEPTH: usize = 3;

/// What is wrong with one item's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loss {
    /// No item has the id.
    Missing,
    /// Its data (an `iloc` extent in this file) ends after the file does.
    PastEnd,
}

/// Where an item's data lies: `None` when it is not in this file (`idat`, another item, or an
/// external file), which this check leaves to libheif.
type Extents = Option<Vec<(u64, u64)>>;

/// The parts of `meta` the check needs.
#[derive(Default)]
struct Meta {
    primary: Option<u32>,
    /// `None` until an `iloc` box has been read.
    items: Option<HashMap<u32, Extents>>,
    dimg: HashMap<u32, Vec<u32>>,
}

/// `Err` with the reason the file is broken when the primary image, or a tile of it, has its
/// data past the end of the file or does not exist. A file whose boxes cannot be read this way
/// passes: libheif will say what is wrong with it.
pub fn check<R: Read + Seek>(file: &mut R, len: u64) -> Result<(), String> {
    let Some(meta) = read_meta(file, len)? else {
        return Ok(());
    };
    let Some(meta) = parse_meta(&meta) else {
        return Ok(());
    };
    let (Some(primary), Some(_)) = (meta.primary, &meta.items) else {
        return Ok(());
    };
    match meta.dimg.get(&primary) {
        None => match meta.loss(primary, len) {
            Some(Loss::PastEnd) => {
                Err("the HEIF file is truncated: the image data lies past its end".into())
            }
            // A primary with no location at all is libheif's to refuse.
            Some(Loss::Missing) | None => Ok(()),
        },
        Some(tiles) => meta.check_tiles(tiles, len, 1),
    }
}

impl Meta {
    fn loss(&self, id: u32, len: u64) -> Option<Loss> {
        let Some(extents) = self.items.as_ref()?.get(&id) else {
            return Some(Loss::Missing);
        };
        let past = extents.as_ref().is_some_and(|extents| {
            // (A length of 0 means "to the end of the file".)
            extents
                .iter()
                .any(|&(offset, length)| offset.checked_add(length).is_none_or(|end| end > len))
        });
        past.then_some(Loss::PastEnd)
    }

    fn check_tiles(&self, tiles: &[u32], len: u64, depth: usize) -> Result<(), String> {
        let n = tiles.len();
        let lost: Vec<(usize, Loss)> = tiles
            .iter()
            .enumerate()
            .filter_map(|(i, &t)| self.loss(t, len).map(|l| (i + 1, l)))
            .collect();
        if let Some(&(first, loss)) = lost.first() {
            let more = match lost.len() - 1 {
                0 => String::new(),
                1 => " (and of 1 more tile)".into(),
                k => format!(" (and of {k} more tiles)"),
            };
            return Err(match loss {
                Loss::PastEnd => format!(
                    "the HEIF file is truncated: the data of grid tile {first} of {n} lies past its end{more}"
                ),
                Loss::Missing => format!(
                    "the HEIF image is incomplete: grid tile {first} of {n} is not in the file{more}"
                ),
            });
        }
        if depth < MAX_DEPTH {
            for tile in tiles {
                if let Some(inner) = self.dimg.get(tile) {
                    self.check_tiles(inner, len, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// The payload of the top-level `meta` box (after its version and flags), when there is one of
/// a sensible size.
fn read_meta<R: Read + Seek>(file: &mut R, len: u64) -> Result<Option<Vec<u8>>, String> {
    let io = |e: std::io::Error| format!("cannot read the file: {e}");
    let mut pos = 0u64;
    for _ in 0..MAX_TOP_BOXES {
        if pos.saturating_add(8) > len {
            return Ok(None);
        }
        file.seek(SeekFrom::Start(pos)).map_err(io)?;
        let mut head = [0u8; 16];
        let got = (len - pos).min(16) as usize;
        file.read_exact(&mut head[..got]).map_err(io)?;
        let (size, header) = match u32::from_be_bytes([head[0], head[1], head[2], head[3]]) {
            0 => (len - pos, 8),
            1 if got == 16 => (
                u64::from_be_bytes(head[8..16].try_into().unwrap_or([0; 8])),
                16,
            ),
            1 => return Ok(None),
            s => (u64::from(s), 8),
        };
        if size < header {
            return Ok(None);
        }
        if &head[4..8] == b"meta" {
            let end = pos.saturating_add(size);
            if end > len {
                return Err("the HEIF file is truncated: it ends inside its meta box".into());
            }
            if size - header < 4 || size > MAX_META {
                return Ok(None);
            }
            file.seek(SeekFrom::Start(pos + header + 4)).map_err(io)?;
            let mut meta = vec![0; (size - header - 4) as usize];
            file.read_exact(&mut meta).map_err(io)?;
            return Ok(Some(meta));
        }
        pos = pos.saturating_add(size);
    }
    Ok(None)
}

/// The child boxes of a container's payload: (type, payload). Stops at the first malformed one.
fn boxes(mut data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(data.get(..4)?.try_into().ok()?);
        let kind: [u8; 4] = data.get(4..8)?.try_into().ok()?;
        let (size, header) = match size {
            0 => (data.len(), 8),
            1 => (
                usize::try_from(u64::from_be_bytes(data.get(8..16)?.try_into().ok()?)).ok()?,
                16,
            ),
            s => (usize::try_from(s).ok()?, 8),
        };
        let payload = data.get(header..size)?;
        data = &data[size..];
        Some((kind, payload))
    })
}

/// Reads big-endian numbers of 0 to 8 bytes.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn uint(&mut self, n: usize) -> Option<u64> {
        let bytes = self.0.get(..n)?;
        self.0 = &self.0[n..];
        (n <= 8).then(|| bytes.iter().fold(0, |v, &b| (v << 8) | u64::from(b)))
    }

    fn id(&mut self, n: usize) -> Option<u32> {
        self.uint(n).and_then(|v| u32::try_from(v).ok())
    }
}

fn parse_meta(meta: &[u8]) -> Option<Meta> {
    let mut out = Meta::default();
    for (kind, payload) in boxes(meta) {
        match &kind {
            b"pitm" => {
                let mut c = Cursor(payload);
                let version = c.uint(1)?;
                c.uint(3)?;
                out.primary = Some(c.id(if version == 0 { 2 } else { 4 })?);
            }
            b"iloc" => out.items = Some(parse_iloc(payload)?),
            b"iref" => {
                let width = if *payload.first()? == 0 { 2 } else { 4 };
                for (kind, reference) in boxes(payload.get(4..)?) {
                    if &kind == b"dimg" {
                        let mut c = Cursor(reference);
                        let from = c.id(width)?;
                        let count = c.uint(2)?;
                        let to = (0..count).map(|_| c.id(width)).collect::<Option<_>>()?;
                        out.dimg.insert(from, to);
                    }
                }
            }
            _ => {}
        }
    }
    Some(out)
}

/// ISO/IEC 14496-12 §8.11.3, versions 0 to 2.
fn parse_iloc(payload: &[u8]) -> Option<HashMap<u32, Extents>> {
    let mut c = Cursor(payload);
    let version = c.uint(1)?;
    c.uint(3)?;
    let sizes = c.uint(1)?;
    let (offset_size, length_size) = ((sizes >> 4) as usize, (sizes & 15) as usize);
    let sizes = c.uint(1)?;
    let base_size = (sizes >> 4) as usize;
    let index_size = if version == 1 || version == 2 {
        (sizes & 15) as usize
    } else {
        0
    };
    let id_size = if version < 2 { 2 } else { 4 };
    let count = c.uint(id_size)?;
    let mut items = HashMap::new();
    for _ in 0..count {
        let id = c.id(id_size)?;
        let method = if version == 1 || version == 2 {
            c.uint(2)? & 15
        } else {
            0
        };
        let data_reference = c.uint(2)?;
        let base = c.uint(base_size)?;
        let extent_count = c.uint(2)?;
        let mut extents = Vec::new();
        for _ in 0..extent_count {
            c.uint(index_size)?;
            let offset = c.uint(offset_size)?;
            let length = c.uint(length_size)?;
            extents.push((base.saturating_add(offset), length));
        }
        // Data in this file, by file offset; the rest (idat, item offsets, other files) is
        // libheif's to check.
        let here = method == 0 && data_reference == 0;
        items.insert(id, here.then_some(extents));
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A box: size, type, payload.
    fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut b = (8 + payload.len() as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(payload);
        b
    }

    /// A HEIF-shaped file: `ftyp`, `meta` (pitm 1; grid 1 made of `tiles`; each tile's data
    /// `extents[i]` as (offset, length) with 4-byte fields in a version 1 iloc), `mdat` of
    /// `mdat` bytes.
    fn file(tiles: &[u16], extents: &[(u32, u32)], mdat: usize) -> Vec<u8> {
        let pitm = bx(b"pitm", &[0, 0, 0, 0, 0, 1]);
        let mut dimg = vec![0, 1];
        dimg.extend_from_slice(&(tiles.len() as u16).to_be_bytes());
        for t in tiles {
            dimg.extend_from_slice(&t.to_be_bytes());
        }
        let iref = bx(
            b"iref",
            &[&[0u8, 0, 0, 0][..], &bx(b"dimg", &dimg)].concat(),
        );
        let mut iloc = vec![1, 0, 0, 0, 0x44, 0x00];
        iloc.extend_from_slice(&(1 + extents.len() as u16).to_be_bytes());
        // Item 1, the grid: its description is in idat (construction method 1).
        iloc.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8]);
        for (i, (offset, length)) in extents.iter().enumerate() {
            iloc.extend_from_slice(&(i as u16 + 2).to_be_bytes());
            iloc.extend_from_slice(&[0, 0, 0, 0, 0, 1]);
            iloc.extend_from_slice(&offset.to_be_bytes());
            iloc.extend_from_slice(&length.to_be_bytes());
        }
        let iloc = bx(b"iloc", &iloc);
        let meta = bx(b"meta", &[&[0u8; 4][..], &pitm, &iref, &iloc].concat());
        let mut f = bx(b"ftyp", b"heicmif1");
        f.extend_from_slice(&meta);
        f.extend_from_slice(&bx(b"mdat", &vec![7; mdat]));
        f
    }

    fn run(f: &[u8]) -> Result<(), String> {
        check(&mut std::io::Cursor::new(f), f.len() as u64)
    }

    #[test]
    fn a_whole_grid_passes() {
        let f = file(&[2, 3], &[(0, 0), (0, 0)], 100);
        let start = (f.len() - 100) as u32;
        let f = file(&[2, 3], &[(start, 50), (start + 50, 50)], 100);
        assert_eq!(run(&f), Ok(()));
        // A length of 0 is "to the end of the file".
        let f = file(&[2, 3], &[(start, 50), (start + 50, 0)], 100);
        assert_eq!(run(&f), Ok(()));
    }

    #[test]
    fn a_tile_past_the_end_or_not_there_is_refused() {
        let start = (file(&[2, 3], &[(0, 0), (0, 0)], 100).len() - 100) as u32;
        let whole = file(&[2, 3], &[(start, 50), (start + 50, 50)], 100);
        // Cut short: the second tile's data is not all there.
        let err = run(&whole[..whole.len() - 1]).expect_err("cut");
        assert!(
            err.contains("truncated") && err.contains("tile 2 of 2"),
            "{err}"
        );
        // Cut before both tiles.
        let err = run(&whole[..whole.len() - 60]).expect_err("cut");
        assert!(
            err.contains("tile 1 of 2 lies past its end (and of 1 more tile)"),
            "{err}"
        );
        // A reference to an item that does not exist.
        let f = file(&[2, 9], &[(start, 50), (start + 50, 50)], 100);
        let err = run(&f).expect_err("dangling");
        assert!(
            err.contains("incomplete: grid tile 2 of 2 is not in the file"),
            "{err}"
        );
        // The meta box itself cut.
        let err = run(&whole[..40]).expect_err("meta cut");
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn garbage_is_left_to_libheif() {
        assert_eq!(run(b""), Ok(()));
        assert_eq!(run(b"not a heif file at all"), Ok(()));
        let mut f = file(&[2], &[(0, 1)], 4);
        // A meta box whose children claim more than there is.
        let at = f.windows(4).position(|w| w == b"iloc").expect("iloc") - 4;
        f[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(run(&f), Ok(()));
    }
}
