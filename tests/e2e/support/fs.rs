//! What is on disk: files below a folder, media by the indexer's rules, cache paths.

use std::path::{Path, PathBuf};

/// Every file below `dir`, relative, sorted (hidden ones too: nothing may be left behind).
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).expect("under").display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Media files below `dir`, by the indexer's own rules (extension, hidden names, system folders).
pub fn count_media(dir: &Path) -> usize {
    use shoebox_indexer::library::is_ignored_folder;
    use shoebox_indexer::media::MediaKind;
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && !is_ignored_folder(&name) {
            n += count_media(&entry.path());
        } else if kind.is_file() && !name.starts_with('.') && MediaKind::of(&name).is_some() {
            n += 1;
        }
    }
    n
}

/// Where the H.264 preview of item `id` is cached.
pub fn preview_path(data: &Path, id: i64) -> PathBuf {
    let u = id.unsigned_abs();
    data.join("cache/video")
        .join(format!("{:02x}", u & 0xff))
        .join(format!("{:02x}", (u >> 8) & 0xff))
        .join(format!("{id}.mp4"))
}
