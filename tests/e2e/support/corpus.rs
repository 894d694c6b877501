//! The media corpus (tests/corpus): where it is, its manifest, and copying its files into a
//! library.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::support::repo_root;

/// Builds (or finds, cached) the corpus and returns its folder.
pub fn corpus() -> PathBuf {
    let out = Command::new(repo_root().join("tests/corpus/build"))
        .output()
        .expect("run tests/corpus/build");
    assert!(
        out.status.success(),
        "corpus build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    PathBuf::from(stdout.lines().last().expect("corpus path").trim())
}

pub fn manifest(corpus: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(corpus.join("manifest.json")).expect("manifest"))
        .expect("manifest JSON")
}

/// The bytes of one corpus file (a path relative to the corpus).
pub fn corpus_file(path: &str) -> Vec<u8> {
    std::fs::read(corpus().join(path)).expect("corpus file")
}

/// Copies the corpus file `from` (relative to `corpus`) to `to`, making its folders.
pub fn copy(corpus: &Path, from: &str, to: &Path) {
    copy_file(&corpus.join(from), to);
}

/// Copies the file `from` to `to`, making its folders.
pub fn copy_file(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
    std::fs::copy(from, to).expect("copy");
}
