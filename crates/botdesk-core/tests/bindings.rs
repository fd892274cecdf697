//! The UI's TypeScript types match the Rust DTOs. When they do not, they are regenerated into
//! `ui/src/bindings/` and the test fails, so that a stale copy never passes CI.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn ts_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                files.insert(
                    name,
                    std::fs::read_to_string(entry.path()).expect("readable binding"),
                );
            }
        }
    }
    files
}

#[test]
fn typescript_bindings_are_current() {
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let fresh = tempfile::tempdir().expect("temp dir");
    botdesk_core::bindings::export_typescript(fresh.path()).expect("bindings export");
    let generated = ts_files(fresh.path());
    assert!(
        generated.contains_key("HealthDto.ts"),
        "{:?}",
        generated.keys()
    );
    let committed = ts_files(&committed_dir);
    if generated == committed {
        return;
    }
    std::fs::create_dir_all(&committed_dir).expect("bindings dir");
    for name in committed.keys().filter(|n| !generated.contains_key(*n)) {
        std::fs::remove_file(committed_dir.join(name)).expect("remove stale binding");
    }
    for (name, text) in &generated {
        std::fs::write(committed_dir.join(name), text).expect("write binding");
    }
    let changed: Vec<&String> = generated
        .iter()
        .filter(|(n, t)| committed.get(*n) != Some(t))
        .map(|(n, _)| n)
        .chain(committed.keys().filter(|n| !generated.contains_key(*n)))
        .collect();
    panic!(
        "ui/src/bindings was stale and has been regenerated ({} file(s): {changed:?}); \
         review and commit it",
        changed.len()
    );
}
