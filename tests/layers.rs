//! The crate's layers: which top-level module may use which. Reads every
//! `src/**/*.rs`, collects the `crate::X` paths each top-level module
//! names (code and doc links; plain `//` comments are skipped) and checks
//! that the graph has no cycle and that every edge is in the table below.
//! A new dependency is a decision: add it to the table, or move the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module and the modules it may use. `cli` may use
/// everything; nothing else uses `cli`.
const LAYERS: &[(&str, &[&str])] = &[
    // Infrastructure: clock, fs, paths, jsonio, lang. Only
    // `domain::text` (the dangerous-character test jsonio refuses).
    ("support", &["domain"]),
    // Plain types and pure functions.
    ("domain", &[]),
    ("crypto", &["support", "domain"]),
    ("store", &["support", "domain"]),
    // The signed payload types.
    ("formats", &["support", "domain", "crypto"]),
    // Envelope, roster and payload checks.
    (
        "verify",
        &["support", "domain", "crypto", "formats", "store", "import"],
    ),
    ("import", &["support", "domain", "store"]),
    (
        "keyring",
        &["support", "domain", "crypto", "store", "import"],
    ),
    // The deliverables.
    (
        "export",
        &[
            "support", "domain", "crypto", "formats", "store", "keyring", "verify",
        ],
    ),
    (
        "merge",
        &[
            "support", "domain", "crypto", "formats", "store", "import", "verify", "keyring",
        ],
    ),
    // The ministry's combine of every panel's merged result.
    (
        "combine",
        &[
            "support", "domain", "crypto", "formats", "store", "import", "verify", "keyring",
            "merge",
        ],
    ),
    (
        "audit",
        &[
            "support", "domain", "crypto", "formats", "store", "import", "verify", "merge",
        ],
    ),
    // Printed documents from the signed files.
    (
        "paper",
        &["support", "domain", "crypto", "formats", "verify"],
    ),
    ("demo", &["support", "domain", "store", "import"]),
    // The chair's roster file: read, changed, checked.
    (
        "roster",
        &["support", "domain", "crypto", "store", "import", "verify"],
    ),
    (
        "dev",
        &[
            "support", "domain", "crypto", "formats", "store", "keyring", "merge",
        ],
    ),
    (
        "tui",
        &[
            "support", "domain", "crypto", "formats", "store", "import", "keyring", "export",
            "verify", "paper",
        ],
    ),
    ("cli", &["*"]),
];

/// What `support` may name of `domain`.
const SUPPORT_MAY_USE: &[&str] = &["crate::domain::text"];

/// Files that belong to `cli` wherever they sit today.
const CLI_FILES: &[&str] = &[
    "export/cli.rs",
    "merge/cli.rs",
    "audit/cli.rs",
    "cli.rs",
    "cli_keys.rs",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read src")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file under `src/` belongs to; `None` for the
/// crate root files.
fn module_of(rel: &str) -> Option<String> {
    if CLI_FILES.contains(&rel) {
        return Some("cli".into());
    }
    if rel == "lib.rs" || rel == "main.rs" {
        return None;
    }
    let first = rel.split('/').next().unwrap_or(rel);
    Some(first.trim_end_matches(".rs").to_string())
}

/// Every `crate::X…` path in `text` (code and doc comments), as written.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("//") && !t.starts_with("///") && !t.starts_with("//!") {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            // `$crate::…` (a macro) and `panelist_crate::…` are not paths
            // of this crate's modules.
            if !before.is_some_and(|c| c == '$' || c == '_' || c.is_alphanumeric()) {
                out.push(tail[..end].trim_end_matches(':').to_string());
            }
            rest = &tail["crate::".len()..];
        }
    }
    out
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|x| x == m).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn top_level_modules_form_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let table: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut modules: BTreeSet<String> = BTreeSet::new();
    let mut uses: Vec<(String, String, String)> = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let Some(m) = module_of(&rel) else {
            continue;
        };
        modules.insert(m.clone());
        let text = std::fs::read_to_string(f).expect("read source");
        for path in crate_paths(&text) {
            uses.push((m.clone(), path, rel.clone()));
        }
    }

    let mut problems = Vec::new();
    for m in &modules {
        if !table.contains_key(m.as_str()) {
            problems.push(format!("module {m} has no row in the layer table"));
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, path, file) in &uses {
        let seg = path.split("::").nth(1).unwrap_or_default();
        let target = if seg == "cli_keys" { "cli" } else { seg };
        // Items of the crate root (`exit`, `pad`, `outln`) are no layer.
        if target == *m || !modules.contains(target) {
            continue;
        }
        graph
            .entry(m.clone())
            .or_default()
            .insert(target.to_string());
        let allowed = table.get(m.as_str()).copied().unwrap_or(&[]);
        if !allowed.contains(&"*") && !allowed.contains(&target) {
            problems.push(format!("{file}: {m} may not use {target} ({path})"));
        }
        if m == "support" && !SUPPORT_MAY_USE.iter().any(|p| path.starts_with(p)) {
            problems.push(format!("{file}: support may not use {path}"));
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        problems.push(format!("import cycle: {}", cycle.join(" → ")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scanner_sees_paths_and_cycles() {
    let text = "use crate::verify::{Context, Kind};\n\
                // crate::tui in a plain comment\n\
                /// [`crate::formats::scores`]\n\
                $crate::outln!();\n\
                let x = crate::merge::recompute(p);\n";
    assert_eq!(
        crate_paths(text),
        [
            "crate::verify",
            "crate::formats::scores",
            "crate::merge::recompute"
        ]
    );
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("export".into()).or_default().insert("merge".into());
    g.entry("merge".into()).or_default().insert("export".into());
    assert_eq!(
        find_cycle(&g),
        Some(vec!["export".into(), "merge".into(), "export".into()])
    );
    assert_eq!(module_of("export/cli.rs").as_deref(), Some("cli"));
    assert_eq!(module_of("tui/board/ui.rs").as_deref(), Some("tui"));
    assert_eq!(module_of("lib.rs"), None);
}
