//! Text emission: the bulk of a large expansion (an item or an arm per
//! state or event) is written as Rust source text and lexed once, because
//! the derive runs unoptimized in its users' dev builds, where building the
//! same tokens with `quote!`, one call per token, costs several times more
//! (docs/performance.md).
//!
//! **The rule**: only three kinds of value may be interpolated into such
//! text: a validated name of the definition (a `Name`, or its PascalCase
//! form: snake_case ASCII that validation has checked is no keyword and no
//! generated item, see `turnstile_spec::namespace`), a number, or a string
//! literal made by [`lit`] (which `proc_macro2::Literal` escapes). Anything
//! else, a summary above all, goes through [`lit`] or `quote!`.

use proc_macro2::{Ident, Literal, Span, TokenStream};

use crate::Generator;

/// Tokens from Rust source the generator wrote as text: lexed with the
/// compiler's own lexer when the derive passes it, else proc-macro2's.
pub(crate) fn lex_with(lexer: Option<fn(&str) -> Option<TokenStream>>, text: &str) -> TokenStream {
    let tokens = match lexer {
        Some(lexer) => lexer(text),
        None => text.parse().ok(),
    };
    tokens.unwrap_or_else(|| {
        crate::compile_error(
            "turnstile: the generated code does not lex; please report this",
            Span::call_site(),
        )
    })
}

/// `text` as a Rust string literal, escaped by `proc_macro2::Literal`.
pub(crate) fn lit(text: &str) -> String {
    Literal::string(text).to_string()
}

/// Items in order, some written as text and some as tokens: consecutive
/// text is lexed in one call (a call to the compiler's lexer costs more
/// than lexing a short item).
pub(crate) struct Items {
    lexer: Option<fn(&str) -> Option<TokenStream>>,
    tokens: TokenStream,
    text: String,
}

impl Items {
    /// No items yet.
    pub(crate) fn new(generator: &Generator<'_>) -> Items {
        Items {
            lexer: generator.input.lexer,
            tokens: TokenStream::new(),
            text: String::new(),
        }
    }

    /// An item written as text (under [the rule](self)).
    pub(crate) fn text(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    /// An item as tokens.
    pub(crate) fn tokens(&mut self, tokens: TokenStream) {
        self.flush();
        // Stream by stream, not token by token.
        self.tokens.extend(std::iter::once(tokens));
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            let lexed = lex_with(self.lexer, &self.text);
            self.tokens.extend(std::iter::once(lexed));
            self.text.clear();
        }
    }

    /// All the items, in the order given.
    pub(crate) fn finish(mut self) -> TokenStream {
        self.flush();
        self.tokens
    }
}

/// The functions of a [`Generator::chunked_match`]: `{prefix}_{k}(index{params}) -> {ret}`,
/// called with `(index % 64{args})`.
pub(crate) struct ChunkedFn<'a> {
    pub(crate) prefix: &'a str,
    pub(crate) params: &'a str,
    pub(crate) args: &'a str,
    pub(crate) ret: &'a str,
}

impl Generator<'_> {
    /// Tokens from text the generator wrote (see [`lex_with`]).
    pub(crate) fn lex(&self, text: &str) -> TokenStream {
        lex_with(self.input.lexer, text)
    }

    /// A `match` on `index` (a `usize` in scope) whose arm `i` is
    /// `arm(items[i])`, and `fallback(items)` past them. Up to 64 items,
    /// that match; beyond, a function per 64 items, called with
    /// `index % 64`: the compiler's borrow and exhaustiveness checks of one
    /// body of thousands of arms cost far more than of many small ones.
    /// Returns the match and the functions, to put beside it.
    pub(crate) fn chunked_match(
        &self,
        items: &[Ident],
        f: ChunkedFn<'_>,
        arm: &dyn Fn(&Ident) -> String,
        fallback: &dyn Fn(&[Ident]) -> String,
    ) -> (TokenStream, TokenStream) {
        let arms = |chunk: &[Ident]| -> String {
            chunk
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{i} => {},", arm(v)))
                .collect()
        };
        if items.len() <= 64 {
            let body = format!("match index {{ {} _ => {} }}", arms(items), fallback(items));
            return (self.lex(&body), TokenStream::new());
        }
        let ChunkedFn {
            prefix,
            params,
            args,
            ret,
        } = f;
        let mut outer = String::new();
        let mut fns = String::new();
        for (k, chunk) in items.chunks(64).enumerate() {
            outer.push_str(&format!("{k} => {prefix}_{k}(index % 64{args}),"));
            fns.push_str(&format!(
                "fn {prefix}_{k}(index: usize{params}) -> {ret} \
                 {{ match index {{ {} _ => {} }} }}\n",
                arms(chunk),
                fallback(chunk)
            ));
        }
        let body = format!("match index / 64 {{ {outer} _ => {} }}", fallback(items));
        (self.lex(&body), self.lex(&fns))
    }
}
