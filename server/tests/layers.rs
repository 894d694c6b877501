//! The workspace's shape, checked on every test run (docs/architecture.md):
//!
//! - no import circle between the files of a crate (`use crate::…`, `super::…` and inline
//!   `crate::…` paths; re-exports and test modules left out), read from the source as text;
//! - SQL only in the catalog crate;
//! - the server's layers import only downward: `api` handlers use `services` and `protocol`,
//!   services never a handler, protocol neither; no handler imports another family's handler;
//! - no handler file (`server/src/api/**` but the table) imports another, and a `mod.rs` under
//!   `api/` only declares modules;
//! - no `json!` answer in `api/` or `services/`: answers are `Serialize` types;
//! - services take typed arguments, never a `Call`, and `protocol/` imports no layer above it;
//! - no file over 600 lines and no function over 120 lines, unless the file's opening comment
//!   says why (a line of it starting `Size:`).
//!
//! A finding that cannot be fixed at once is listed in [`DEBT`]: the checks fail on anything
//! new, and on an entry that is no longer true, so the list only shrinks.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 120;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file below `root` (`api/browse/mod.rs` is `["api", "browse"]`).
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(root)
        .expect("below root")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The file that holds module path `module` (its longest prefix that is a file).
fn file_of(root: &Path, module: &[String]) -> Option<PathBuf> {
    for n in (0..=module.len()).rev() {
        let base: PathBuf = module[..n]
            .iter()
            .fold(root.to_path_buf(), |p, m| p.join(m));
        let candidates = if n == 0 {
            vec![root.join("lib.rs"), root.join("main.rs")]
        } else {
            vec![base.with_extension("rs"), base.join("mod.rs")]
        };
        if let Some(f) = candidates.into_iter().find(|c| c.is_file()) {
            return Some(f);
        }
    }
    None
}

/// The source without its `#[cfg(test)] mod tests { … }` (always last in our files).
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    }
}

/// Every `crate::a::b` / `super::a` path a line names, `{a, b::c}` groups expanded.
fn paths_in(line: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let head = ["crate::", "super::"]
            .into_iter()
            .find(|h| rest.starts_with(h))
            .filter(|_| i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        let Some(head) = head else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        // `super::super::x`: count the supers.
        let mut ups = 0;
        let mut j = i;
        if head == "super::" {
            while line[j..].starts_with("super::") {
                ups += 1;
                j += "super::".len();
            }
        } else {
            j += head.len();
        }
        let mut prefix = Vec::new();
        loop {
            let ident: String = line[j..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if ident.is_empty() {
                if line[j..].starts_with('{') {
                    let end = line[j..].find('}').map_or(line.len(), |e| j + e);
                    for item in line[j + 1..end].split(',') {
                        let item = item.trim().split(" as ").next().unwrap_or("").trim();
                        let mut p = prefix.clone();
                        if !item.is_empty() && item != "self" {
                            p.extend(item.split("::").map(str::to_owned));
                        }
                        out.push((format!("{ups}"), p));
                    }
                    j = end;
                } else {
                    out.push((format!("{ups}"), prefix.clone()));
                }
                break;
            }
            j += ident.len();
            prefix.push(ident);
            if line[j..].starts_with("::") {
                j += 2;
            } else {
                out.push((format!("{ups}"), prefix.clone()));
                break;
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// The files of the crate at `root` that each file imports.
fn graph(root: &Path) -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let mut graph = BTreeMap::new();
    for file in files {
        let me = module_of(root, &file);
        let text = std::fs::read_to_string(&file).expect("read");
        let mut deps = BTreeSet::new();
        for line in without_tests(&text).lines() {
            let s = line.trim_start();
            if s.starts_with("//") || s.starts_with("pub use") || s.starts_with("pub(crate) use") {
                continue;
            }
            for (ups, path) in paths_in(s) {
                let ups: usize = ups.parse().expect("count");
                // `crate::` paths start at the root, `super::` ones `ups` levels up.
                let base = me[..me.len().saturating_sub(ups)].to_vec();
                let base = if ups == 0 { Vec::new() } else { base };
                let module: Vec<String> = base.into_iter().chain(path).collect();
                if let Some(f) = file_of(root, &module).filter(|f| *f != file) {
                    deps.insert(f);
                }
            }
        }
        graph.insert(file, deps);
    }
    graph
}

/// The strongly connected parts of more than one file (Tarjan).
fn circles(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    struct State<'a> {
        graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on: BTreeSet<&'a PathBuf>,
        out: Vec<Vec<PathBuf>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a PathBuf) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("low");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut part = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                part.push(w.clone());
                if w == v {
                    break;
                }
            }
            if part.len() > 1 {
                part.sort();
                s.out.push(part);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Known findings still to fix (each exactly as a check reports it). A finding not here fails
/// its check; an entry here that no check reports fails too, so that the list only shrinks.
const DEBT: &[&str] = &[
    // Empty: everything issue 21 found is fixed. A finding that cannot be fixed at once is
    // listed here, with why, and the checks fail when it is fixed and still listed.
];

/// Fails on findings not in [`DEBT`], and on [`DEBT`] entries of this check (`kind`) that are
/// no longer found.
fn settle(kind: &str, found: &[String]) {
    let new: Vec<&String> = found
        .iter()
        .filter(|f| !DEBT.contains(&f.as_str()))
        .collect();
    let fixed: Vec<&&str> = DEBT
        .iter()
        .filter(|d| d.starts_with(kind) && !found.iter().any(|f| f == *d))
        .collect();
    assert!(
        new.is_empty() && fixed.is_empty(),
        "new findings (fix them):\n{}\nfixed (remove them from DEBT in server/tests/layers.rs):\n{}",
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        fixed.iter().map(|s| **s).collect::<Vec<_>>().join("\n"),
    );
}

const CRATES: [&str; 3] = ["catalog/src", "indexer/src", "server/src"];

fn rel(p: &Path) -> String {
    p.strip_prefix(workspace())
        .unwrap_or(p)
        .display()
        .to_string()
}

#[test]
fn no_crate_has_an_import_circle() {
    let mut found = Vec::new();
    for krate in CRATES {
        for circle in circles(&graph(&workspace().join(krate))) {
            let files: Vec<String> = circle.iter().map(|p| rel(p)).collect();
            found.push(format!("circle: {}", files.join(" ↔ ")));
        }
    }
    settle("circle: ", &found);
}

/// Whether a line runs SQL (the statements themselves or a raw driver call).
fn runs_sql(line: &str) -> bool {
    [
        "sqlx::query",
        "query_as(",
        "query_as::<",
        "query_scalar(",
        "query_scalar::<",
        "rusqlite::",
        ".prepare(",
        ".prepare_cached(",
        "execute_batch(",
        "sqlx::raw_sql",
        "QueryBuilder",
    ]
    .iter()
    .any(|m| line.contains(m))
}

#[test]
fn sql_lives_only_in_the_catalog() {
    let mut found = Vec::new();
    for krate in ["indexer/src", "server/src"] {
        let mut files = Vec::new();
        rust_files(&workspace().join(krate), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read");
            for (n, line) in without_tests(&text).lines().enumerate() {
                if !line.trim_start().starts_with("//") && runs_sql(line) {
                    eprintln!("{}:{}: {}", rel(&f), n + 1, line.trim());
                    let entry = format!("sql: {}", rel(&f));
                    if !found.contains(&entry) {
                        found.push(entry);
                    }
                }
            }
        }
    }
    settle("sql: ", &found);
}

/// Whether the file's opening comment says why it is long (a line `//! Size: …`).
fn says_why(text: &str) -> bool {
    text.lines().take_while(|l| l.starts_with("//!")).any(|l| {
        l.trim_start_matches("//!")
            .trim_start()
            .starts_with("Size:")
    })
}

/// Functions longer than [`MAX_FN_LINES`]: `(first line, lines)`. A function ends at the
/// first line that is its own indentation and `}` (rustfmt's layout).
fn long_functions(text: &str) -> Vec<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let s = line.trim_start();
        let is_fn = [
            "fn ",
            "pub fn ",
            "async fn ",
            "pub async fn ",
            "pub(crate) fn ",
        ]
        .iter()
        .any(|p| s.starts_with(p))
            || (s.starts_with("pub(") && s.contains(" fn "))
            || (s.starts_with("const fn ") || s.starts_with("pub const fn "));
        if !is_fn || s.ends_with(';') {
            continue;
        }
        let indent = &line[..line.len() - s.len()];
        let close = format!("{indent}}}");
        if let Some(len) = lines[n + 1..].iter().position(|l| *l == close)
            && len + 2 > MAX_FN_LINES
        {
            out.push((n + 1, len + 2));
        }
    }
    out
}

#[test]
fn files_and_functions_stay_short() {
    let mut found = Vec::new();
    for krate in CRATES {
        let mut files = Vec::new();
        rust_files(&workspace().join(krate), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read");
            if says_why(&text) {
                continue;
            }
            let lines = text.lines().count();
            if lines > MAX_FILE_LINES {
                eprintln!("{}: {lines} lines", rel(&f));
                found.push(format!("long file: {}", rel(&f)));
            }
            for (at, len) in long_functions(without_tests(&text)) {
                eprintln!("{}:{at}: a function of {len} lines", rel(&f));
                let entry = format!("long function: {}", rel(&f));
                if !found.contains(&entry) {
                    found.push(entry);
                }
            }
        }
    }
    // Over MAX_FILE_LINES lines a file or MAX_FN_LINES a function, without a `//! Size:` line
    // saying why (the lines and places are printed above).
    settle("long ", &found);
}

/// The handler files: every file under `server/src/api/` but the table (which names every
/// handler, its job) and `mod.rs` files (which only declare the family's modules).
fn is_handler(file: &Path) -> bool {
    let api = workspace().join("server/src/api");
    file.starts_with(&api)
        && file != api.join("table.rs")
        && file.file_name().is_some_and(|n| n != "mod.rs")
}

/// The handler-to-handler imports in `graph`, and the `mod.rs` files under `api/` that hold
/// code rather than only declare modules (shared code there is a handler others import).
fn handler_findings(graph: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<String> {
    let mut found = Vec::new();
    for (file, deps) in graph {
        if is_handler(file) {
            for dep in deps.iter().filter(|d| is_handler(d)) {
                found.push(format!("handler import: {} → {}", rel(file), rel(dep)));
            }
        }
    }
    found
}

/// Whether a `mod.rs` holds anything but comments, module declarations and re-exports.
fn holds_code(text: &str) -> bool {
    without_tests(text).lines().map(str::trim).any(|s| {
        !(s.is_empty()
            || s.starts_with("//")
            || s.starts_with("#[")
            || (s.starts_with("mod ")
                || s.starts_with("pub mod ")
                || s.starts_with("pub(crate) mod "))
                && s.ends_with(';')
            || s.starts_with("pub use ")
            || s.starts_with("pub(crate) use ")
            || s.starts_with("use "))
    })
}

#[test]
fn no_handler_imports_another_handler() {
    let server = workspace().join("server/src");
    let mut found = handler_findings(&graph(&server));
    let mut files = Vec::new();
    rust_files(&server.join("api"), &mut files);
    for f in files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "mod.rs"))
    {
        if holds_code(&std::fs::read_to_string(f).expect("read")) {
            found.push(format!("handler import: code in {}", rel(f)));
        }
    }
    // What one handler needs of another belongs in a service (`services/`), the wire's
    // shared types (`wire/`) or the protocol (`protocol/`).
    settle("handler import: ", &found);
}

/// The `json!` answers built in `text` (outside its tests).
fn json_literals(text: &str) -> usize {
    without_tests(text)
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| l.matches("json!(").count())
        .sum()
}

#[test]
fn answers_are_typed() {
    // Handlers and services answer with `Serialize` types (`server/src/wire/` for the shapes
    // several APIs share), never a `json!` tree whose shape nothing names.
    let mut found = Vec::new();
    for dir in ["server/src/api", "server/src/services"] {
        let mut files = Vec::new();
        rust_files(&workspace().join(dir), &mut files);
        for f in files {
            let n = json_literals(&std::fs::read_to_string(&f).expect("read"));
            if n > 0 {
                eprintln!("{}: {n} json! literals", rel(&f));
                found.push(format!("json: {}", rel(&f)));
            }
        }
    }
    settle("json: ", &found);
}

/// Whether code `text` (outside comments and tests) names `word` as a whole word.
fn names(text: &str, word: &str) -> bool {
    without_tests(text)
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with("//"))
        .any(|l| {
            l.match_indices(word).any(|(at, _)| {
                let before = l[..at].chars().next_back();
                let after = l[at + word.len()..].chars().next();
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                    && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            })
        })
}

#[test]
fn services_take_typed_arguments_and_the_protocol_knows_no_layer_above() {
    // Services get the state and typed arguments (ids, a `Reach`, a `Viewer`, a `LinkVisit`),
    // never the raw call: `server/src/extract.rs` draws those from a `Call` for the handlers.
    // The protocol (transport, parameters, dispatch) imports neither services nor handlers.
    let server = workspace().join("server/src");
    let mut found = Vec::new();
    for (dir, words) in [
        ("services", &["Call"][..]),
        (
            "protocol",
            &["crate::services", "crate::api", "crate::extract"][..],
        ),
    ] {
        let mut files = Vec::new();
        rust_files(&server.join(dir), &mut files);
        for f in files {
            let text = std::fs::read_to_string(&f).expect("read");
            for word in words {
                if names(&text, word) {
                    found.push(format!("layer: {} names {word}", rel(&f)));
                }
            }
        }
    }
    settle("layer: ", &found);
}

#[test]
fn the_checks_see_what_they_look_for() {
    // A circle of two made-up modules, a SQL line and a long function are caught, so a check
    // that passes is not one that cannot fail.
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::write(root.join("lib.rs"), "mod a;\nmod b;\n").expect("write");
    std::fs::write(root.join("a.rs"), "use crate::b::thing;\n").expect("write");
    std::fs::write(root.join("b.rs"), "use super::a::{x, y as z};\n").expect("write");
    let found = circles(&graph(root));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].len(), 2);
    assert!(runs_sql(r#"    sqlx::query("SELECT 1")"#));
    assert!(!runs_sql("    let q = query.trim();"));
    let long = format!("fn f() {{\n{}}}\n", "    x();\n".repeat(MAX_FN_LINES));
    assert_eq!(long_functions(&long), vec![(1, MAX_FN_LINES + 2)]);
    assert!(long_functions("fn f() {\n    x();\n}\n").is_empty());
    assert!(says_why(
        "//! Foo.\n//!\n//! Size: one table of every method.\n"
    ));
    assert_eq!(
        json_literals("let v = json!({\"a\": json!(1)});\n// json!(2)\n"),
        2
    );
    assert!(holds_code("mod a;\npub fn f() {}\n"));
    assert!(!holds_code("//! Doc.\npub mod a;\nmod b;\npub use a::X;\n"));
    let api = workspace().join("server/src/api");
    let mut g = BTreeMap::new();
    g.insert(
        api.join("a.rs"),
        BTreeSet::from([api.join("b/c.rs"), api.join("mod.rs")]),
    );
    g.insert(api.join("table.rs"), BTreeSet::from([api.join("a.rs")]));
    assert_eq!(handler_findings(&g).len(), 1, "{:?}", handler_findings(&g));
}
