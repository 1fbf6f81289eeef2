//! The compiler errors the README and docs/roles.md show are the ones rustc prints: each
//! `text` block after a `<!-- stderr: PATH -->` line is the trybuild
//! `.stderr` file at PATH, so a change in the compiler's or the
//! generator's words fails here instead of leaving the README stale.

#[test]
fn the_readme_shows_the_compilers_words() {
    assert!(
        shown_errors("README.md") >= 2,
        "the README shows fewer than 2 compiler errors from .stderr files"
    );
    // docs/roles.md shows the wrong role's and the capability's errors
    // whole, as rustc prints them (they were once cut, which hid a
    // misleading help line).
    assert!(shown_errors("docs/roles.md") >= 2);
}

/// Checks each `text` block of `page` after a `<!-- stderr: PATH -->` line
/// against the file at PATH; returns how many there were.
fn shown_errors(page: &str) -> usize {
    let readme = std::fs::read_to_string(page).expect(page);
    let mut checked = 0;
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(path) = line
            .strip_prefix("<!-- stderr: ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        else {
            continue;
        };
        assert_eq!(lines.next(), Some("```text"), "a text block follows {path}");
        let shown: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        let stderr = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(
            shown.join("\n"),
            stderr.trim_end(),
            "{page} shows another text than {path}: copy the file into {page}"
        );
        checked += 1;
    }
    checked
}

/// The complete example of the definition reference
/// (`docs/reference/definition.md`) is a valid definition, with every
/// kind of key the page describes.
#[test]
fn the_definition_references_example_is_valid() {
    let page = std::fs::read_to_string("docs/reference/definition.md").expect("the page");
    let start = page
        .find("```toml\n[workflow]")
        .expect("the complete example")
        + "```toml\n".len();
    let end = start + page[start..].find("```").expect("its end");
    let example = &page[start..end];
    let file = turnstile_spec::SourceFile::new("docs/reference/definition.md", example);
    let workflow = turnstile_spec::load(&file)
        .unwrap_or_else(|diagnostics| panic!("the example does not check: {diagnostics:?}"));
    assert_eq!(workflow.name.as_str(), "door");
    for key in [
        "permits",
        "final",
        "guard",
        "by",
        "after",
        "not_before",
        "[roles.",
        "[capabilities.",
        "[guards.",
    ] {
        assert!(example.contains(key), "the example shows `{key}`");
    }
}

/// The key tables of docs/reference/definition.md are the registry's
/// (`turnstile_spec::keys::KEYS`), which the parser reads: each region
/// between `<!-- keys: TABLE … -->` and `<!-- end keys -->` is
/// `keys::markdown(TABLE)`. `TURNSTILE_BLESS=1` rewrites the regions.
#[test]
fn the_definition_reference_tables_are_the_parsers_keys() {
    use turnstile_spec::keys::{markdown, Table};
    let path = "docs/reference/definition.md";
    let page = std::fs::read_to_string(path).expect("the page");
    let mut out = String::new();
    let mut rest = page.as_str();
    let mut shown = Vec::new();
    while let Some(start) = rest.find("<!-- keys: ") {
        let open_end = start + rest[start..].find("-->").expect("the marker's end") + 3;
        let id = rest[start + "<!-- keys: ".len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        let table = Table::ALL
            .into_iter()
            .find(|t| t.id() == id)
            .unwrap_or_else(|| panic!("no table `{id}`"));
        let close = open_end
            + rest[open_end..]
                .find("<!-- end keys -->")
                .expect("the end marker");
        out.push_str(&rest[..open_end]);
        out.push('\n');
        out.push_str(&markdown(table));
        shown.push(table);
        rest = &rest[close..];
    }
    out.push_str(rest);
    for table in Table::ALL.into_iter().filter(|t| *t != Table::Top) {
        assert!(
            shown.contains(&table),
            "{path} shows no table of `{}`",
            table.id()
        );
    }
    if std::env::var_os("TURNSTILE_BLESS").is_some() {
        std::fs::write(path, &out).expect("written");
        return;
    }
    assert!(
        out == page,
        "{path}'s key tables are not the registry's: run `TURNSTILE_BLESS=1 cargo test --test readme` and commit"
    );
}
