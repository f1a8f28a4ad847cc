//! Imports go one way: a module names only modules of its own layer or of
//! the layers below it, and modules of one layer never name each other in a
//! circle. The layers, bottom first, are those of the README's code layout.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom first. `server::routes` sits with `api`: both are doors into the
/// services, and only the composition root (`server`) mounts them.
const LAYERS: &[&[&str]] = &[
    &[
        "app_error",
        "config",
        "db",
        "format",
        "supervise",
        "telemetry",
        "tls",
        "zone",
    ],
    &["cache", "highlevel", "inbound"],
    &["auth"],
    &["alerts", "apps", "reports", "sync", "webhooks", "workspace"],
    &["automations", "retention"],
    &["caller", "state"],
    &["api", "server::routes"],
    &["app", "ui"],
    &["server"],
    &["cli", "crate"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| panic!("the module `{module}` has no layer: add it to LAYERS"))
}

/// The module a source file belongs to: its first folder or file under
/// `src/`, with `server/routes` apart; `lib.rs` and `main.rs` are the crate.
fn module_of_file(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    match parts.as_slice() {
        [only] if only == "lib" || only == "main" => "crate".into(),
        [server, routes, ..] if server == "server" && routes.starts_with("routes") => {
            "server::routes".into()
        }
        [first, ..] => first.clone(),
        [] => "crate".into(),
    }
}

/// The modules `source` names through `crate::…` paths, outside comments.
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    for line in source.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (index, _) in code.match_indices("crate::") {
            let rest = &code[index + "crate::".len()..];
            let word = |text: &str| -> String {
                text.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            };
            let first = word(rest);
            let second = rest
                .strip_prefix(first.as_str())
                .and_then(|after| after.strip_prefix("::"))
                .map(word)
                .unwrap_or_default();
            if first.is_empty() || first.chars().next().is_some_and(char::is_uppercase) {
                continue;
            }
            if first == "server" && second == "routes" {
                named.insert("server::routes".to_owned());
            } else {
                named.insert(first);
            }
        }
    }
    named
}

/// Every wrong import of `files` (module, text), as "a → b" lines.
fn wrong_imports(files: &[(String, String)]) -> Vec<String> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, source) in files {
        for named in named_modules(source) {
            if named != *module {
                edges.entry(module.clone()).or_default().insert(named);
            }
        }
    }
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            let (from_layer, to_layer) = (layer_of(from), layer_of(to));
            if to_layer > from_layer {
                wrong.push(format!("{from} → {to} (a lower layer names a higher one)"));
            } else if to_layer == from_layer && reaches(&edges, to, from) {
                wrong.push(format!("{from} → {to} (part of a circle)"));
            }
        }
    }
    wrong
}

/// Whether `to` can be reached from `from` along edges within one layer.
fn reaches(edges: &BTreeMap<String, BTreeSet<String>>, from: &str, to: &str) -> bool {
    let layer = layer_of(from);
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(module) = stack.pop() {
        if module == to {
            return true;
        }
        if !seen.insert(module.clone()) {
            continue;
        }
        for next in edges.get(&module).into_iter().flatten() {
            if layer_of(next) == layer {
                stack.push(next.clone());
            }
        }
    }
    false
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn imports_go_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    rust_files(&src, &mut paths);
    let files: Vec<(String, String)> = paths
        .iter()
        .map(|path| {
            let module = module_of_file(path.strip_prefix(&src).unwrap());
            (module, std::fs::read_to_string(path).unwrap())
        })
        .collect();
    assert!(files.len() > 50, "the source tree was found");
    let wrong = wrong_imports(&files);
    assert!(
        wrong.is_empty(),
        "imports that go the wrong way:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_catches_an_upward_import_and_a_circle() {
    let file = |module: &str, source: &str| (module.to_owned(), source.to_owned());
    let upward = [file("workspace", "use crate::api::guard::Caller;")];
    assert_eq!(
        wrong_imports(&upward),
        ["workspace → api (a lower layer names a higher one)"]
    );
    let routes = [file(
        "auth",
        "fn f() { crate::server::routes::auth::login; }",
    )];
    assert_eq!(
        wrong_imports(&routes),
        ["auth → server::routes (a lower layer names a higher one)"]
    );
    let circle = [
        file("reports", "use crate::sync::last_synced_at;"),
        file(
            "sync",
            "// crate::api in a comment is not an import\nuse crate::reports::model::Period;",
        ),
    ];
    assert_eq!(wrong_imports(&circle).len(), 2);
    let fine = [
        file(
            "ui",
            "use crate::api::contacts::list_contacts; use crate::format::thousands;",
        ),
        file(
            "server",
            "use crate::server::routes::auth; use crate::app::App;",
        ),
    ];
    assert!(wrong_imports(&fine).is_empty());
}
