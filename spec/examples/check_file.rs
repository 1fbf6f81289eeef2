//! Prints the diagnostics of a definition file: `cargo run -p turnstile-spec --example check_file -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let file = turnstile_spec::SourceFile::new(
        path.clone(),
        std::fs::read_to_string(&path).expect("readable"),
    );
    let checked = turnstile_spec::check(&file);
    println!(
        "{}",
        turnstile_spec::diagnostic::render_all(&checked.diagnostics, &file, false)
    );
    println!("model: {}", checked.partial.is_some());
}
