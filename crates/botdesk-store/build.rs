// refinery embeds the SQL files with include_str!, which tracks edits to known files but not a
// new file in the folder: rebuild when the folder changes.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
