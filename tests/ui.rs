//! Compile-time behaviour of generated machines: what compiles, and the exact
//! errors of what does not (reviewed `.stderr` files; regenerate with
//! `TRYBUILD=overwrite cargo test --test ui` and read the diff).

#[test]
fn ui() {
    // trybuild builds each case as a crate of its own under `target/`, where
    // CARGO_MANIFEST_DIR is not this crate: point `file = "…"` back here.
    std::env::set_var("TURNSTILE_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"));
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/compile_fail/*.rs");
}
