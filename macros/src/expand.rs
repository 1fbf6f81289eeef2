//! Attribute → definition file → model → tokens. Never panics: every
//! problem becomes a `compile_error!` spanned where the user can fix it.

use std::path::PathBuf;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use turnstile_spec::diagnostic::did_you_mean;
use turnstile_spec::{read, Code, Diagnostic};

/// The override of the folder `file` paths resolve against. Test harnesses
/// that build a crate elsewhere (trybuild) set it to the real crate folder.
/// It applies only to the crate being built (`CARGO_PRIMARY_PACKAGE`), never
/// to its dependencies, which keep resolving against their own folders.
const MANIFEST_DIR_OVERRIDE: &str = "TURNSTILE_MANIFEST_DIR";

pub(crate) fn derive(input: &syn::DeriveInput) -> TokenStream {
    match expand(input) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

fn attribute_error(span: Span, message: String, help: &str) -> syn::Error {
    let d = Diagnostic::new(Code::Attribute, message).with_help(help);
    syn::Error::new(span, d.render_without_source(false))
}

/// What `#[workflow(...)]` says.
struct Options {
    /// `file = "…"`: the definition, relative to the crate's Cargo.toml.
    file: syn::LitStr,
    /// `dispatch = false` leaves out dispatch by name (`Current`, `Event`,
    /// `turnstile::Dispatch`): the typed machine alone, cheaper to compile.
    dispatch: bool,
    /// `module = "…"`: the generated module's name, when it is not to be
    /// the workflow's (the file's module already has that name, say).
    module: Option<String>,
    /// `previous = "…"`: the definition stored instances were written
    /// under before this one; they are read as this version's, which the
    /// derive allows only where no change from it needs a mapping.
    previous: Option<syn::LitStr>,
    /// `renames = "old=new, …"`: states or events of `previous` renamed in
    /// this version, where the diff would not recognise them (more changed
    /// at once), as `turnstile diff --rename` takes them.
    renames: Option<syn::LitStr>,
}

fn options(input: &syn::DeriveInput) -> syn::Result<Options> {
    let mut file: Option<syn::LitStr> = None;
    let mut dispatch: Option<syn::LitBool> = None;
    let mut module: Option<syn::LitStr> = None;
    let mut previous: Option<syn::LitStr> = None;
    let mut renames: Option<syn::LitStr> = None;
    let mut seen_attr = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("workflow")) {
        seen_attr = true;
        attr.parse_nested_meta(|meta| {
            let twice = |key: &str, example: &str| {
                attribute_error(
                    meta.path.span(),
                    format!("`{key}` is given twice"),
                    &format!("keep one `{key} = {example}`"),
                )
            };
            if meta.path.is_ident("file") {
                if file.is_some() {
                    return Err(twice("file", "\"…\""));
                }
                file = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("previous") {
                if previous.is_some() {
                    return Err(twice("previous", "\"…\""));
                }
                previous = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("renames") {
                if renames.is_some() {
                    return Err(twice("renames", "\"old=new, …\""));
                }
                renames = Some(meta.value()?.parse()?);
                Ok(())
            } else if meta.path.is_ident("module") {
                if module.is_some() {
                    return Err(twice("module", "\"…\""));
                }
                let name: syn::LitStr = meta.value()?.parse()?;
                check_module(&name)?;
                module = Some(name);
                Ok(())
            } else if meta.path.is_ident("dispatch") {
                if dispatch.is_some() {
                    return Err(twice("dispatch", "false"));
                }
                let value: syn::Expr = meta.value()?.parse()?;
                match value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Bool(b),
                        ..
                    }) => {
                        dispatch = Some(b);
                        Ok(())
                    }
                    other => Err(attribute_error(
                        other.span(),
                        "`dispatch` takes `true` or `false`".to_string(),
                        "write `dispatch = false` for the typed machine alone, without dispatch by name",
                    )),
                }
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map_or_else(|| "?".to_string(), ToString::to_string);
                let help = match did_you_mean(&key, ["file", "dispatch", "module", "previous", "renames"]) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "`#[workflow(...)]` takes `file = \"path/to/definition.toml\"` \
                             and, optionally, `dispatch = false`, `module = \"name\"`, \
                             `previous = \"path/to/previous.toml\"` and `renames = \"old=new\"`"
                        .to_string(),
                };
                Err(attribute_error(
                    meta.path.span(),
                    format!("unknown key `{key}` in `#[workflow(...)]`"),
                    &help,
                ))
            }
        })?;
    }
    let file = file.ok_or_else(|| {
        let message = if seen_attr {
            "`#[workflow(...)]` is missing `file`"
        } else {
            "`#[derive(Workflow)]` needs `#[workflow(file = \"…\")]`"
        };
        attribute_error(
            Span::call_site(),
            message.to_string(),
            "add `#[workflow(file = \"workflows/name.toml\")]`, a path relative to the crate's Cargo.toml",
        )
    })?;
    if let (Some(renames), None) = (&renames, &previous) {
        return Err(attribute_error(
            renames.span(),
            "`renames` names renames from the previous version, and there is no `previous`"
                .to_string(),
            "add `previous = \"path/to/previous.toml\"`, or remove `renames`",
        ));
    }
    Ok(Options {
        file,
        dispatch: dispatch.is_none_or(|d| d.value),
        module: module.map(|m| m.value()),
        previous,
        renames,
    })
}

/// A `module = "…"` must be a name the generated module can take: as a
/// workflow's name would be checked (snake_case, no keyword, nothing it
/// would hide beside the type).
fn check_module(name: &syn::LitStr) -> syn::Result<()> {
    use turnstile_spec::namespace::{taken, Place};
    use turnstile_spec::validate::{is_snake_case, RUST_KEYWORDS};
    let text = name.value();
    let problem = if !is_snake_case(&text) {
        Some(format!("`{text}` is not a snake_case identifier"))
    } else if RUST_KEYWORDS.contains(&text.as_str()) {
        Some(format!("`{text}` is a Rust keyword"))
    } else {
        taken(Place::Workflow, &text).map(|t| format!("`{text}` clashes with {}", t.item))
    };
    match problem {
        Some(problem) => Err(attribute_error(
            name.span(),
            format!("`module` names the generated module: {problem}"),
            "give a snake_case name that is no keyword, crate or primitive type, e.g. `module = \"machine\"`",
        )),
        None => Ok(()),
    }
}

fn expand(input: &syn::DeriveInput) -> syn::Result<TokenStream> {
    let options = options(input)?;
    if !input.generics.params.is_empty() {
        return Err(attribute_error(
            input
                .generics
                .lt_token
                .map_or(input.ident.span(), |t| t.span),
            format!(
                "`{}` has generic parameters, which a workflow's data cannot have yet",
                input.ident
            ),
            "derive `Workflow` on a concrete type, e.g. a struct that holds the generic one",
        ));
    }
    let base = std::env::var_os("CARGO_PRIMARY_PACKAGE")
        .and_then(|_| std::env::var_os(MANIFEST_DIR_OVERRIDE))
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
        .unwrap_or_default();
    expand_in(input, &options, &base)
}

/// The compiler's own lexer, for the text the generator writes (see
/// `turnstile_codegen::Input::lexer`). Only inside a running macro.
fn compiler_lexer(text: &str) -> Option<TokenStream> {
    text.parse::<proc_macro::TokenStream>()
        .ok()
        .map(TokenStream::from)
}

/// The expansion with `file` resolved against `base`.
fn expand_in(
    input: &syn::DeriveInput,
    options: &Options,
    base: &std::path::Path,
) -> syn::Result<TokenStream> {
    let literal = &options.file;
    let span = literal.span();
    let relative = literal.value();
    let file_error = |d: Diagnostic| syn::Error::new(span, d.render_without_source(false));
    let path = read::resolve(base, &relative).map_err(file_error)?;
    let file = read::read(&path, &relative).map_err(file_error)?;
    let checked = turnstile_spec::check(&file);

    let errors = checked.diagnostics.iter().map(|d| {
        let message = d.render(&file, false);
        turnstile_codegen::compile_error(&message, span)
    });
    let path_text = path.to_string_lossy().into_owned();
    // A `previous` that cannot be read as this version is an error beside
    // the machine, which is still generated (no follow-on errors).
    let (previous, previous_tokens) = match (&options.previous, &checked.partial) {
        (Some(literal), Some(workflow)) if checked.diagnostics.is_empty() => {
            match previous_version(literal, options.renames.as_ref(), base, &file, workflow) {
                // Rebuilt when the previous definition changes too.
                Ok((previous, path)) => (
                    vec![previous],
                    quote!(
                        const _: &str = ::core::include_str!(#path);
                    ),
                ),
                Err(error) => (Vec::new(), error.to_compile_error()),
            }
        }
        _ => (Vec::new(), TokenStream::new()),
    };
    let generated = match &checked.partial {
        Some(workflow) => turnstile_codegen::generate(&turnstile_codegen::Input {
            workflow,
            file: &file,
            data: &input.ident,
            vis: &input.vis,
            include_path: Some(&path_text),
            dispatch: options.dispatch,
            module: options.module.as_deref(),
            lexer: proc_macro::is_available().then_some(compiler_lexer as _),
            valid: checked.diagnostics.is_empty(),
            previous: &previous,
        }),
        // Nothing usable to generate; still make cargo rebuild when the
        // definition is fixed.
        None => quote!(
            const _: &str = ::core::include_str!(#path_text);
        ),
    };
    Ok(quote! {
        #(#errors)*
        #generated
        #previous_tokens
    })
}

/// `previous = "…"`: the earlier definition read and checked, and what
/// the typed migration from it needs (`turnstile_spec::diff::plan`): each
/// old state carried on, or named for a decision the user writes
/// (`previous::Migrate`). An error at the attribute where the previous
/// version cannot be read, or where the workflow has regions (a stored
/// configuration holds a state per region: not migrated yet).
fn previous_version(
    literal: &syn::LitStr,
    renames: Option<&syn::LitStr>,
    base: &std::path::Path,
    current_file: &turnstile_spec::SourceFile,
    current: &turnstile_spec::Workflow,
) -> syn::Result<(turnstile_codegen::Previous, String)> {
    use turnstile_spec::diff::plan;
    let span = literal.span();
    let relative = literal.value();
    let file_error = |d: Diagnostic| syn::Error::new(span, d.render_without_source(false));
    let path = read::resolve(base, &relative).map_err(file_error)?;
    let file = read::read(&path, &relative).map_err(file_error)?;
    let checked = turnstile_spec::check(&file);
    let old = match checked.partial {
        Some(w) if checked.diagnostics.is_empty() => w,
        _ => {
            return Err(attribute_error(
                span,
                format!("the previous definition `{relative}` has errors"),
                "run `turnstile check` on it: the previous version must be the definition stored instances were written under, as it was",
            ))
        }
    };
    if !current.regions.is_empty() || !old.regions.is_empty() {
        return Err(attribute_error(
            span,
            format!(
                "`previous` is not supported for a workflow with regions: a stored configuration of `{}` holds a state per region",
                current.name
            ),
            "move stored configurations with `Store::migrate_from` and a closure, then drop `previous`",
        ));
    }
    let renames_span = renames.map_or(span, |r| r.span());
    let stated: Vec<turnstile_spec::diff::Rename> = match renames {
        None => Vec::new(),
        Some(list) => list
            .value()
            .split(',')
            .filter(|r| !r.trim().is_empty())
            .map(|r| r.parse())
            .collect::<Result<_, String>>()
            .map_err(|e| attribute_error(renames_span, e, "write `renames = \"old=new, …\"`"))?,
    };
    let plan = plan(&old, &file, current, current_file, &stated).map_err(|e| {
        attribute_error(
            renames_span,
            e.to_string(),
            "name a state or event of the previous version and its name in this one",
        )
    })?;
    let name = |id: turnstile_spec::StateId| old.state(id).name.as_str().to_string();
    let transitions = old
        .transitions
        .iter()
        .flat_map(|t| {
            t.from.iter().flat_map(move |f| {
                t.to.iter()
                    .map(move |to| (name(*f), t.event.as_str().to_string(), name(*to)))
            })
        })
        .collect();
    let previous = turnstile_codegen::Previous {
        fingerprint: turnstile_spec::fingerprint::fingerprint(&old),
        file: relative.clone(),
        initial: name(old.initial),
        states: old
            .states
            .iter()
            .map(|s| s.name.as_str().to_string())
            .collect(),
        transitions,
        counterparts: old
            .states
            .iter()
            .map(|s| s.name.as_str())
            .filter_map(|s| {
                let here = plan.carried.get(s).map_or(s, String::as_str);
                current
                    .state_named(here)
                    .map(|_| (s.to_string(), here.to_string()))
            })
            .collect(),
        carried: plan.carried.into_iter().collect(),
        decide: plan.decide.into_iter().collect(),
    };
    Ok((previous, path.to_string_lossy().into_owned()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use turnstile_spec::SourceFile;

    /// The messages of the `compile_error!`s in an expansion.
    fn compile_errors(tokens: proc_macro2::TokenStream) -> Vec<String> {
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses");
        file.items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Macro(m)
                    if m.mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "compile_error") =>
                {
                    Some(
                        m.mac
                            .parse_body::<syn::LitStr>()
                            .expect("a message")
                            .value(),
                    )
                }
                _ => None,
            })
            .collect()
    }

    /// For every file of the malformed-definition corpus, the derive reports
    /// exactly the diagnostics `turnstile check` prints, word for word.
    #[test]
    fn the_macro_reports_what_the_command_prints() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let corpus = root.join("tests/ui/workflows/bad");
        let mut seen = 0;
        for entry in std::fs::read_dir(&corpus).expect("the corpus") {
            let path = entry.expect("an entry").path();
            let relative = format!(
                "tests/ui/workflows/bad/{}",
                path.file_name().unwrap().to_string_lossy()
            );
            let input: syn::DeriveInput = syn::parse_quote! {
                #[workflow(file = #relative)]
                struct Data;
            };
            let options = super::options(&input).expect("the attribute");
            let tokens = super::expand_in(&input, &options, &root).expect("the file is read");
            let text = std::fs::read_to_string(&path).expect("readable");
            let file = SourceFile::new(relative.clone(), text);
            let expected: Vec<String> = turnstile_spec::check(&file)
                .diagnostics
                .iter()
                .map(|d| d.render(&file, false))
                .collect();
            assert!(!expected.is_empty(), "{relative} has no diagnostic");
            assert_eq!(compile_errors(tokens), expected, "{relative}");
            seen += 1;
        }
        assert!(seen >= 40, "{seen} files");
    }
}
