// Generates the Tauri context from the root tauri.conf.json. The capabilities live in
// src-tauri/capabilities/ (not beside the config, the default): without a pattern that finds
// them, every no-op build would recompile the app.
fn main() {
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*");
    if let Err(error) = tauri_build::try_build(attributes) {
        eprintln!("tauri-build failed: {error:#}");
        std::process::exit(1);
    }
}
