//! The table of operations as the shells see it: every operation is a command of the desktop's
//! dispatcher that answers (a result or a coded error, never a panic) even to empty arguments,
//! names are unique, and every call the UI makes by hand names a command the desktop app has.

use std::collections::BTreeSet;
use std::path::PathBuf;

use botdesk_core::store::Actor;
use botdesk_core::{Caller, Config, Services, ServicesOptions, Shell};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_a_command_that_answers_even_empty_arguments() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let services = Services::open(ServicesOptions::new(
        dir.path(),
        Config::default(),
        Shell::Desktop,
    ))
    .expect("the core opens");
    let dispatcher = botdesk_core::surface::dispatcher();
    let specs = botdesk_core::surface::specs();
    let names: BTreeSet<&str> = specs.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), specs.len(), "operation names are unique");
    assert!(specs.len() > 60, "{} operations", specs.len());
    for spec in &specs {
        assert!(dispatcher.has(spec.name), "{} is not a command", spec.name);
        let answer = dispatcher
            .call(
                spec.name,
                services.clone(),
                Caller::new(Actor::Local),
                serde_json::json!({}),
            )
            .expect("a command")
            .await;
        if let Err(e) = answer {
            let wire = e.wire();
            assert!(
                wire.code.contains('.') && !wire.message.is_empty(),
                "{}: {wire:?}",
                spec.name
            );
        }
    }
    assert!(
        dispatcher
            .call(
                "no_such_command",
                services,
                Caller::new(Actor::Local),
                serde_json::json!({})
            )
            .is_none()
    );
}

/// The commands the desktop app registers itself (`tauri::generate_handler![…]` in main.rs).
fn desktop_own_commands() -> BTreeSet<String> {
    let main = std::fs::read_to_string(root().join("src-tauri/main.rs")).expect("main.rs");
    let start = main
        .find("generate_handler![")
        .expect("the desktop's own handler");
    let list = &main[start..main[start..].find(']').map_or(main.len(), |e| start + e)];
    list.split("commands::")
        .skip(1)
        .map(|s| {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn every_call_the_ui_writes_by_hand_names_a_desktop_command() {
    let client = std::fs::read_to_string(root().join("ui/src/api/client.ts")).expect("client.ts");
    let own = desktop_own_commands();
    let table: BTreeSet<&str> = botdesk_core::surface::specs()
        .iter()
        .map(|s| s.name)
        .collect();
    let mut by_hand = Vec::new();
    for (i, _) in client.match_indices("command: \"") {
        let name: String = client[i + 10..].chars().take_while(|c| *c != '"').collect();
        by_hand.push(name);
    }
    assert!(by_hand.len() >= 4, "{by_hand:?}");
    for name in &by_hand {
        assert!(
            own.contains(name) || table.contains(name.as_str()),
            "the UI calls {name:?}, which the desktop app does not have (its own: {own:?})"
        );
    }
    // And the desktop's own commands are all used: none is left behind.
    for name in &own {
        assert!(
            by_hand.contains(name),
            "{name} is a desktop command nothing calls"
        );
    }
}
