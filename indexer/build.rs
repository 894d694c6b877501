//! `sqlx::migrate!` embeds the migrations at compile time: a new or changed file there must
//! rebuild the crate.
//!
//! With the `faces` feature: `dlib-face-recognition` links `-lcblas` unless /etc/os-release
//! says `ID_LIKE=debian`, which Debian itself does not say; Debian has no libcblas.so (its
//! reference BLAS, libblas.so.3, carries the CBLAS functions). A `libcblas.so` link to it in
//! OUT_DIR, on the link path, satisfies that (docs/recognition.md).

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=../migrations");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_FACES").is_none() {
        return;
    }
    let target = std::env::var("TARGET").unwrap_or_default();
    let multiarch = match target.split('-').next() {
        Some("x86_64") => "x86_64-linux-gnu",
        Some("aarch64") => "aarch64-linux-gnu",
        _ => return,
    };
    let Some(out) = std::env::var_os("OUT_DIR").map(PathBuf::from) else {
        return;
    };
    let blas = ["/usr/lib", "/lib"]
        .iter()
        .map(|d| Path::new(d).join(multiarch).join("libblas.so.3"))
        .find(|p| p.exists());
    let Some(blas) = blas else {
        println!("cargo:warning=libblas.so.3 for {multiarch} not found: install libblas-dev");
        return;
    };
    let link = out.join("libcblas.so");
    let _ = std::fs::remove_file(&link);
    if let Err(e) = std::os::unix::fs::symlink(&blas, &link) {
        println!("cargo:warning=cannot link {}: {e}", link.display());
        return;
    }
    println!("cargo:rustc-link-search=native={}", out.display());
}
