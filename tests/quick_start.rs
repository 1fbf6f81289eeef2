//! The README's quick start works as written in a crate of its own: its
//! `workflows/door.toml` and its `src/main.rs` are copied out of the README
//! into a fresh crate under `target/`, which `cargo run` builds and runs;
//! then the illegal call the README shows is added, and the compiler's
//! error must carry the README's lines.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The body of the first fenced block opening with `fence` after `after`.
fn block(readme: &str, after: &str, fence: &str) -> String {
    let start = readme
        .find(after)
        .unwrap_or_else(|| panic!("no `{after}` in the README"));
    let rest = &readme[start..];
    let open = rest.find(&format!("\n{fence}\n")).expect("the block") + fence.len() + 2;
    let body = &rest[open..];
    body[..body.find("\n```").expect("the block's end") + 1].to_string()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A fresh crate holding `main` and the README's definition.
fn crate_with(dir: &Path, definition: &str, main: &str) {
    let _ = std::fs::remove_dir_all(dir.join("src"));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("workflows")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"door\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nturnstile = {{ path = {:?} }}\n\n[workspace]\n",
            root().display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("workflows/door.toml"), definition).unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
}

fn cargo(dir: &Path, command: &str) -> std::process::Output {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    Command::new(env!("CARGO"))
        .args([command, "--quiet"])
        .current_dir(dir)
        // Shared with the generator's compile test: the dependencies are
        // built once.
        .env("CARGO_TARGET_DIR", target.join("tests/compiles/target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn the_quick_start_runs_in_a_new_crate_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let definition = block(
        &readme,
        "write the definition in `workflows/door.toml`",
        "```toml",
    );
    let main = block(
        &readme,
        "and the Rust side in `src/main.rs`",
        "```rust,ignore",
    );
    assert!(
        main.contains("#[workflow(file = \"workflows/door.toml\")]"),
        "{main}"
    );
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let dir = target.join("tests/quick-start");

    crate_with(&dir, &definition, &main);
    let run = cargo(&dir, "run");
    assert!(
        run.status.success(),
        "the quick start does not run:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // The illegal call of the README, where it shows it: line 19.
    let mut lines: Vec<&str> = main.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("let closed = door::Machine::new"))
        .expect("the machine is made");
    lines.insert(at + 1, "    let _ = closed.close();");
    let illegal = lines.join("\n");
    crate_with(&dir, &definition, &illegal);
    let check = cargo(&dir, "check");
    assert!(!check.status.success(), "the illegal call compiled");
    let said = String::from_utf8_lossy(&check.stderr);
    // The README shows the trybuild case on the same definition
    // (tests/readme.rs checks it is that `.stderr` word for word): the
    // error and its notes must be what the new crate gets, but for where
    // the definition lies.
    let shown = block(
        &readme,
        "<!-- stderr: tests/ui/compile_fail/illegal_event.stderr -->",
        "```text",
    );
    for line in shown
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("error[") || l.starts_with("= note:"))
        .map(|l| l.replace("tests/ui/workflows/door.toml", "workflows/door.toml"))
    {
        assert!(
            said.contains(&line),
            "the compiler did not say `{line}`:\n{said}"
        );
    }
}
