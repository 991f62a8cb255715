//! The layout is the pipeline: each top-level module may use only the modules of earlier
//! layers, so there are no import cycles, and every module up to `report` is pure (no files,
//! processes, network, environment, async runtime or service SDK). Read from the source text,
//! test modules left out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules in the order data passes; a module may use those of earlier layers.
const LAYERS: &[&[&str]] = &[
    &["cron", "finding", "parallel"],
    &["yaml", "outcome"],
    // The declarations of each file's keys, read by the loaders below.
    &["shape"],
    &["settings"],
    &["schedule"],
    &["timetable"],
    &["policy"],
    &["deploy"],
    &["check"],
    &["import"],
    &["manual"],
    &["report"],
    // The edges: I/O from here on.
    &["source"],
    &["aws"],
    &["github"],
    &["cli"],
];

/// The last pure layer.
const LAST_PURE: &str = "report";

/// What a pure module may not name.
const IMPURE: &[&str] = &[
    "std::fs",
    "std::process",
    "std::net",
    "std::env::var",
    "std::io::stdin",
    "std::io::stdout",
    "std::io::stderr",
    "println!",
    "eprintln!",
    "tokio",
    "aws_sdk_",
    "aws_config",
    "aws_smithy",
    "octocrab",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The file's code without its test module and comments.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each top-level module's code, by module name (`src/cron/eval.rs` is `cron`).
fn modules() -> BTreeMap<String, Vec<(String, String)>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut modules: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for path in files {
        let rel = path.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let name = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if name == "lib" || name == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        modules
            .entry(name)
            .or_default()
            .push((rel.display().to_string(), code_of(&text)));
    }
    modules
}

/// `crate::<name>` paths in `code`, also inside `use crate::{a, b}` groups.
fn crate_uses(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            found.push(name);
        }
        rest = after;
    }
    found
}

#[test]
fn every_module_is_in_a_layer() {
    let unknown: Vec<String> = modules()
        .into_keys()
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert!(
        unknown.is_empty(),
        "modules without a layer: {unknown:?}; add them to LAYERS in tests/integration/layers.rs"
    );
}

#[test]
fn modules_use_only_earlier_layers() {
    let mut wrong = Vec::new();
    for (module, files) in modules() {
        let Some(own) = layer_of(&module) else {
            continue;
        };
        for (file, code) in files {
            for used in crate_uses(&code) {
                if used == module {
                    continue;
                }
                match layer_of(&used) {
                    Some(layer) if layer < own => {}
                    _ => wrong.push(format!("src/{file} uses crate::{used}")),
                }
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(
        wrong.is_empty(),
        "uses against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn pure_modules_do_no_io() {
    let last = layer_of(LAST_PURE).expect("report is a layer");
    let mut wrong = Vec::new();
    for (module, files) in modules() {
        if layer_of(&module).is_none_or(|l| l > last) {
            continue;
        }
        for (file, code) in files {
            for token in IMPURE {
                if code.contains(token) {
                    wrong.push(format!("src/{file} names {token}"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "I/O in pure modules:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_checker_sees_uses() {
    // The checks above pass vacuously if uses are not found: pin what they find.
    assert_eq!(
        crate_uses("use crate::{cron::parse, finding};\nlet x = crate::yaml::load();"),
        vec!["cron", "finding", "yaml"]
    );
    let modules = modules();
    let check = &modules["check"];
    assert!(
        check
            .iter()
            .any(|(_, code)| crate_uses(code).contains(&"timetable".to_string()))
    );
    assert!(code_of("a\n#[cfg(test)]\nmod tests { use std::fs; }").trim() == "a");
}
