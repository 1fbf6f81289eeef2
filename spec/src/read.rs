//! Reading a definition file, with the same errors for the macro and the command.

// A `Diagnostic` is the error here: it is built once, on the path that
// stops the build or the command, so its size (notes and help included)
// costs nothing worth boxing it for.
#![allow(clippy::result_large_err)]

use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::SourceFile;

/// Resolves `relative` (as written in `#[workflow(file = "…")]`) against the
/// crate folder `base`. Refuses absolute paths (they build on one machine
/// only) and paths that climb out of the crate.
pub fn resolve(base: &Path, relative: &str) -> Result<PathBuf, Diagnostic> {
    let path = Path::new(relative);
    if relative.is_empty() {
        return Err(Diagnostic::new(Code::File, "`file` is empty")
            .with_help("name the definition relative to the crate's Cargo.toml, e.g. `file = \"workflows/door.toml\"`"));
    }
    if path.is_absolute() || path.has_root() {
        return Err(Diagnostic::new(
            Code::File,
            format!("`{relative}` is an absolute path"),
        )
        .with_help("write the path relative to the crate's Cargo.toml, so the crate builds on every machine"));
    }
    let mut depth: i64 = 0;
    for component in path.components() {
        match component {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
        if depth < 0 {
            return Err(Diagnostic::new(
                Code::File,
                format!(
                    "`{relative}` points outside the crate (resolved to `{}`)",
                    base.join(path).display()
                ),
            )
            .with_help("keep workflow definitions inside the crate (they are packaged with it) and name them relative to its Cargo.toml"));
        }
    }
    Ok(base.join(path))
}

/// Reads the definition at `path`, shown in diagnostics as `display`.
pub fn read(path: &Path, display: &str) -> Result<SourceFile, Diagnostic> {
    let resolved = path.display();
    if path.is_dir() {
        return Err(Diagnostic::new(
            Code::File,
            format!(
                "`{display}` is a directory, not a workflow definition (resolved to `{resolved}`)"
            ),
        )
        .with_help("name a `.toml` file inside it"));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        let help = match e.kind() {
            std::io::ErrorKind::NotFound => {
                "check the spelling; the path is relative to the crate's Cargo.toml".to_string()
            }
            std::io::ErrorKind::PermissionDenied => {
                "make the file readable by the user who builds the crate".to_string()
            }
            _ => format!("the system said: {e}"),
        };
        Diagnostic::new(
            Code::File,
            format!(
                "cannot read `{display}` (resolved to `{resolved}`): {}",
                io_reason(&e)
            ),
        )
        .with_help(help)
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        Diagnostic::new(
            Code::File,
            format!("`{display}` is not UTF-8 text: invalid byte at offset {offset} (resolved to `{resolved}`)"),
        )
        .with_help("save the definition as UTF-8")
    })?;
    Ok(SourceFile::new(display, text))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}
