//! `file = "…"` and `turnstile check PATH` on paths that are not a readable
//! UTF-8 definition: each gets a T015 error naming the resolved path, with
//! what to do.

use std::path::{Path, PathBuf};

use turnstile_spec::read::{read, resolve};
use turnstile_spec::{Code, Diagnostic};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("turnstile-files-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn message(d: &Diagnostic) -> String {
    assert_eq!(d.code, Code::File);
    d.render_without_source(false)
}

#[test]
fn a_missing_file_names_where_it_was_looked_for() {
    let base = scratch("missing");
    let path = resolve(&base, "workflows/door.toml").expect("a relative path");
    let out = message(&read(&path, "workflows/door.toml").unwrap_err());
    assert!(out.contains("cannot read `workflows/door.toml`"), "{out}");
    assert!(
        out.contains(&format!("resolved to `{}`", path.display())),
        "{out}"
    );
    assert!(out.contains("no such file"), "{out}");
    assert!(out.contains("help: check the spelling"), "{out}");
}

#[test]
fn a_directory_is_not_a_definition() {
    let base = scratch("dir");
    std::fs::create_dir_all(base.join("workflows")).unwrap();
    let path = resolve(&base, "workflows").unwrap();
    let out = message(&read(&path, "workflows").unwrap_err());
    assert!(out.contains("`workflows` is a directory"), "{out}");
    assert!(out.contains(&path.display().to_string()), "{out}");
    assert!(out.contains("help: name a `.toml` file inside it"), "{out}");
}

#[test]
fn a_non_utf8_file_says_where_the_bad_byte_is() {
    let base = scratch("latin1");
    std::fs::write(base.join("door.toml"), b"[workflow]\nname = \"caf\xe9\"\n").unwrap();
    let path = resolve(&base, "door.toml").unwrap();
    let out = message(&read(&path, "door.toml").unwrap_err());
    assert!(
        out.contains("`door.toml` is not UTF-8 text: invalid byte at offset 22"),
        "{out}"
    );
    assert!(out.contains(&path.display().to_string()), "{out}");
    assert!(out.contains("help: save the definition as UTF-8"), "{out}");
}

#[test]
fn an_unreadable_file_says_permission_denied() {
    use std::os::unix::fs::PermissionsExt;
    let base = scratch("locked");
    let file = base.join("door.toml");
    std::fs::write(&file, "[workflow]\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&file).is_ok() {
        eprintln!("running as root, who reads any file: skipped");
        return;
    }
    let out = message(&read(&file, "door.toml").unwrap_err());
    assert!(out.contains("permission denied"), "{out}");
    assert!(out.contains("help: make the file readable"), "{out}");
}

#[test]
fn absolute_empty_and_escaping_paths_are_refused_before_reading() {
    let base = Path::new("crate");
    let out = message(&resolve(base, "/etc/door.toml").unwrap_err());
    assert!(
        out.contains("`/etc/door.toml` is an absolute path"),
        "{out}"
    );
    assert!(out.contains("relative to the crate's Cargo.toml"), "{out}");

    let out = message(&resolve(base, "").unwrap_err());
    assert!(out.contains("`file` is empty"), "{out}");

    let out = message(&resolve(base, "workflows/../../door.toml").unwrap_err());
    assert!(out.contains("points outside the crate"), "{out}");
    assert!(
        out.contains("resolved to `crate/workflows/../../door.toml`"),
        "{out}"
    );

    // Climbing back in stays inside.
    assert_eq!(
        resolve(base, "workflows/../door.toml").unwrap(),
        base.join("workflows/../door.toml")
    );
}
