//! The compiler errors the README shows are the ones rustc prints: each
//! `text` block after a `<!-- stderr: PATH -->` line is the trybuild
//! `.stderr` file at PATH, so a change in the compiler's or the
//! generator's words fails here instead of leaving the README stale.

#[test]
fn the_readme_shows_the_compilers_words() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
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
            "README.md shows another text than {path}: copy the file into the README"
        );
        checked += 1;
    }
    assert!(
        checked >= 2,
        "the README shows {checked} compiler errors from .stderr files"
    );
}
