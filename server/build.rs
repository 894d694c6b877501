// The portal's files are built into the binary (include_dir! in src/web.rs); rebuild when they
// change, which a macro cannot tell Cargo by itself.
fn main() {
    println!("cargo:rerun-if-changed=../web");
}
