//! What `#[derive(Workflow)]` expands a definition to, and what each step
//! of the expansion costs.
//!
//! ```sh
//! cargo run -p turnstile-codegen --example expand -- workflows/sign_up.toml          # the code
//! cargo run -p turnstile-codegen --example expand -- workflows/sign_up.toml --time   # the costs
//! ```
//!
//! `--no-dispatch` expands as `#[workflow(dispatch = false)]` does.
//!
//! Built in the dev profile, as cargo builds the derive for its users, the
//! timings are the macro's share of a `cargo check` (docs/performance.md).

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first().cloned() else {
        eprintln!("usage: expand <definition.toml> [--time] [--no-dispatch]");
        return ExitCode::from(2);
    };
    let time = args.iter().any(|a| a == "--time");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let file = turnstile_spec::SourceFile::new(path.clone(), text);
    let workflow = match turnstile_spec::load(&file) {
        Ok(workflow) => workflow,
        Err(diagnostics) => {
            eprint!(
                "{}",
                turnstile_spec::diagnostic::render_all(&diagnostics, &file, false)
            );
            return ExitCode::FAILURE;
        }
    };
    let loaded = Instant::now();
    let data = proc_macro2::Ident::new("Data", proc_macro2::Span::call_site());
    let vis: syn::Visibility = syn::parse_quote!(pub);
    let input = turnstile_codegen::Input {
        include_path: Some(&path),
        dispatch: !args.iter().any(|a| a == "--no-dispatch"),
        ..turnstile_codegen::Input::new(&workflow, &file, &data, &vis)
    };
    let tokens = turnstile_codegen::generate(&input);
    let generated = Instant::now();
    let text = tokens.to_string();
    if time {
        println!(
            "{} states, {} transitions: check {:.1?}, generate {:.1?}, {} bytes of tokens",
            workflow.states.len(),
            workflow.transitions.len(),
            loaded - start,
            generated - loaded,
            text.len()
        );
        return ExitCode::SUCCESS;
    }
    match syn::parse_file(&text) {
        Ok(parsed) => {
            print!("{}", prettyplease::unparse(&parsed));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: the expansion does not parse: {e}");
            ExitCode::FAILURE
        }
    }
}
