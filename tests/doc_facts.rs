//! What the docs state about the code, checked against the code and the
//! tree, so that a statement cannot go stale silently: the counts the
//! README gives, the keys the fingerprint hashes, the refusals and step
//! fields the long-running guide lists, the store's migrations.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The files of `dir` whose names end with `ext`, sorted.
fn files(dir: &str, ext: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(ext) && n != "Cargo.toml")
        .collect();
    names.sort();
    names
}

/// The section of `page` from the heading `heading` to the next heading.
fn section<'a>(page: &'a str, heading: &str) -> &'a str {
    let start = page
        .find(heading)
        .unwrap_or_else(|| panic!("no heading {heading}"));
    let rest = &page[start + heading.len()..];
    let end = rest.find("\n#").unwrap_or(rest.len());
    &rest[..end]
}

/// The items of the block `header { … }` in a Rust source, at the block's
/// first level of indentation (`    Name` or `    pub name:`).
fn block_items(source: &str, header: &str, item: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let start = source.find(header).unwrap_or_else(|| panic!("no {header}"));
    source[start..]
        .lines()
        .skip(1)
        .take_while(|l| *l != "}")
        .filter(|l| l.starts_with("    ") && !l.starts_with("     "))
        .filter_map(|l| item(l.trim()))
        .collect()
}

#[test]
fn the_readme_counts_the_corpus_as_the_tree_holds_it() {
    let corpus = files("tests/ui/workflows/bad", ".toml").len();
    let readme = read("README.md");
    assert!(
        readme.contains(&format!("corpus of {corpus} malformed definitions")),
        "README.md: the corpus has {corpus} files"
    );
}

/// The fuzzing guide seeds the corpus from the tree itself (no copies to
/// drift), and counts what it takes as the tree holds it.
#[test]
fn the_fuzzing_guide_counts_the_reference_workflows_and_seeds_from_the_tree() {
    let workflows = files("workflows", ".toml");
    let words = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let page = read("docs/fuzzing.md");
    assert!(
        page.contains(&format!(
            "the {} reference workflows",
            words[workflows.len()]
        )),
        "docs/fuzzing.md: there are {} reference workflows",
        workflows.len()
    );
    let corpus = files("tests/ui/workflows/bad", ".toml").len();
    assert!(
        page.contains(&format!("(`tests/ui/workflows/bad/`, {corpus} files)")),
        "docs/fuzzing.md: the malformed corpus has {corpus} files"
    );
    assert!(page.contains(
        "cp ../workflows/[a-z]*.toml ../workflows/account/account.toml ../examples/door.toml ../tests/ui/workflows/bad/*.toml"
    ));
    assert!(
        !Path::new("fuzz/seeds").exists(),
        "fuzz/seeds: copies of the definitions drift; the guide seeds from the tree"
    );
}

#[test]
fn the_long_running_guide_names_every_key_the_fingerprint_hashes() {
    let page = read("docs/long-running.md");
    let text = section(&page, "### The fingerprint");
    for key in turnstile_spec::fingerprint::HASHED_KEYS {
        assert!(
            text.contains(&format!("`{key}`")),
            "docs/long-running.md's fingerprint section does not name `{key}`"
        );
    }
}

#[test]
fn the_long_running_guide_lists_every_refusal_and_every_field_of_a_step() {
    let source = read("runtime/src/dispatch.rs");
    let variants = block_items(&source, "pub enum Why {", |l| {
        let name: String = l.chars().take_while(|c| c.is_alphanumeric()).collect();
        (!name.is_empty() && name.chars().next().unwrap().is_uppercase()).then_some(name)
    });
    assert!(variants.len() >= 9, "{variants:?}");
    let page = read("docs/long-running.md");
    for v in &variants {
        assert!(
            page.contains(&format!("| `{v}` |")) || page.contains(&format!("| `{v}(Refusal)` |")),
            "docs/long-running.md's `Why` table lacks `{v}`"
        );
    }
    let fields = block_items(&source, "pub struct Step {", |l| {
        l.strip_prefix("pub ")
            .and_then(|l| l.split_once(':'))
            .map(|(name, _)| name.to_string())
    });
    assert_eq!(fields.len(), 8, "{fields:?}");
    let trail = section(&page, "## Instances and the audit trail");
    for f in &fields {
        assert!(
            trail.contains(&format!("`{f}`")),
            "docs/long-running.md does not name the step's field `{f}`"
        );
    }
}

#[test]
fn the_store_guide_names_every_migration() {
    let page = read("docs/store.md");
    let migrations = files("store/migrations", ".sql");
    assert!(migrations.len() >= 6);
    for m in migrations {
        assert!(
            page.contains(&format!("`{m}`")),
            "docs/store.md does not name {m}"
        );
    }
    assert!(Path::new("store/migrations").is_dir());
}
