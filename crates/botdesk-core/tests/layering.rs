//! The rules ARCHITECTURE.md states about the core's shape, checked on its source: no module
//! imports from a module that imports it back (directly or round a longer loop), blocking
//! threads start only behind the services' gates, and no file of the core or the shells grows
//! past 700 lines (tests aside).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `a/b.rs` → `a::b`, `a/mod.rs` → `a`, `lib.rs` → `` (the crate).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts.join("::")
}

/// The text without comments, so that paths in docs do not count, and without the inline test
/// module at the end (its `super` is the file itself).
fn code_of(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod tests {"))
        .unwrap_or(lines.len());
    lines[..end]
        .iter()
        .map(|line| match line.find("//") {
            // A `//` inside a string (a URL) cuts the line short: only its paths are lost.
            Some(i) => &line[..i],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `a::{b, c::{d, e}}` into `a::b`, `a::c::d`, `a::c::e`.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).trim().to_owned()];
    };
    let prefix = &tree[..open];
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            if p == "self" || p.starts_with("self as ") {
                vec![prefix.trim_end_matches("::").to_owned()]
            } else {
                expand(p)
                    .into_iter()
                    .map(|q| format!("{prefix}{q}"))
                    .collect()
            }
        })
        .collect()
}

/// Every path a file names into its own crate: its `use` trees and its inline `crate::…`
/// paths, with `super::` resolved.
fn paths_named(module: &str, is_mod_file: bool, code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let here: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    // `super` of `a::b` (a/b.rs or a/b/mod.rs) is `a`.
    let _ = is_mod_file;
    let parent: Vec<&str> = here
        .iter()
        .take(here.len().saturating_sub(1))
        .copied()
        .collect();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let tree: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ");
        for path in expand(&tree) {
            let segments: Vec<String> = path.split("::").map(|s| s.trim().to_owned()).collect();
            match segments.first().map(String::as_str) {
                Some("crate") => found.push(segments[1..].to_vec()),
                Some("super") => {
                    let mut full: Vec<String> = parent.iter().map(|s| (*s).to_owned()).collect();
                    full.extend(segments[1..].iter().cloned());
                    found.push(full);
                }
                _ => {}
            }
        }
    }
    for (i, _) in code.match_indices("crate::") {
        if code[..i].ends_with('$') || code[..i].ends_with("use ") {
            continue;
        }
        let path: String = code[i + 7..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        found.push(
            path.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        );
    }
    found
}

#[test]
fn no_module_imports_from_one_that_imports_it_back() {
    let src = src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &modules {
        let code = code_of(&std::fs::read_to_string(file).expect("readable"));
        let is_mod = file.file_name().is_some_and(|n| n == "mod.rs");
        for path in paths_named(module, is_mod, &code) {
            // The longest prefix that is a module is what the path imports from.
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|m| modules.contains_key(m))
                .unwrap_or_default();
            // A file's own test module uses its parent: not an import between modules.
            let own_tests = module.ends_with("::tests") || module == "tests";
            if &target != module && !own_tests {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    // The graph was read (a parser that finds nothing would pass vacuously).
    let edge_count: usize = edges.values().map(BTreeSet::len).sum();
    assert!(edge_count > 100, "only {edge_count} imports found");
    assert!(
        edges
            .get("media::upload")
            .is_some_and(|e| e.contains("events")),
        "{:?}",
        edges.get("media::upload")
    );
    // Every cycle in the graph (Tarjan would do; the graph is small, so a walk per module).
    let mut cycles = Vec::new();
    for start in modules.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(&at).into_iter().flatten() {
                if next == start {
                    cycles.push(trail.join(" → ") + " → " + start);
                } else if !trail.contains(next) && next > start {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "modules of the core that import each other back:\n{}",
        cycles.join("\n")
    );
    // The ground is below the areas: services and the api machinery name no area.
    for ground in [
        "services",
        "api",
        "api::declare",
        "api::dispatch",
        "api::openapi",
        "api::typescript",
    ] {
        for target in edges.get(ground).into_iter().flatten() {
            let area = target.split("::").next().unwrap_or("");
            assert!(
                ![
                    "system",
                    "templates",
                    "queues",
                    "media",
                    "catalog",
                    "orders",
                    "webhooks",
                    "sync",
                    "runtime",
                    "surface"
                ]
                .contains(&area),
                "{ground} imports the area module {target}"
            );
        }
    }
}

#[test]
fn blocking_threads_start_only_behind_the_gates() {
    let src = src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let starting: Vec<String> = files
        .iter()
        .filter(|f| {
            code_of(&std::fs::read_to_string(f).expect("readable")).contains("spawn_blocking")
        })
        .map(|f| module_of(&src, f))
        .collect();
    assert_eq!(starting, ["services"], "spawn_blocking outside the gates");
}

#[test]
fn no_file_of_the_core_or_the_shells_is_past_700_lines() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "crates/botdesk-core/src",
        "crates/botdesk-server/src",
        "src-tauri",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter(|f| !f.ends_with("tests.rs") && !f.components().any(|c| c.as_os_str() == "tests"))
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f)
                .expect("readable")
                .lines()
                .count();
            (lines > 700).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these before adding more: {long:?}");
}

#[test]
fn use_trees_expand_to_their_paths() {
    assert_eq!(
        expand("crate::sync::{status, wire::{SyncStatusDto, PendingTableDto}}"),
        [
            "crate::sync::status",
            "crate::sync::wire::SyncStatusDto",
            "crate::sync::wire::PendingTableDto"
        ]
    );
    assert_eq!(
        expand("crate::webhooks::events::{self as webhooks, Recorded}"),
        [
            "crate::webhooks::events",
            "crate::webhooks::events::Recorded"
        ]
    );
    let named = paths_named(
        "media::job",
        false,
        "use super::view::dto;\nlet x = crate::events::Event::A;",
    );
    assert!(
        named.contains(&vec!["media".into(), "view".into(), "dto".into()]),
        "{named:?}"
    );
    assert!(
        named
            .iter()
            .any(|p| p.first().is_some_and(|s| s == "events")),
        "{named:?}"
    );
}
