//! The options of `#[coroutine(...)]` and `coro!(...)`.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Path, Token, Type};

use crate::error::Errors;

/// The options, validated; all of them are optional (`yield` is `()` when left out).
pub(crate) struct Options {
    /// `yield = Y`: the type of the values the body suspends with; `()` when absent.
    pub(crate) yield_ty: Type,
    /// `resume = R`: the type of resume values; `()` when absent.
    pub(crate) resume_ty: Option<Type>,
    /// `return = T`, in `coro!` only (a function writes its return type in its signature).
    pub(crate) return_ty: Option<Type>,
    /// `clone`: the coroutine is `Clone`.
    pub(crate) clone: bool,
    /// `pinned`: the body is lowered through rustc's `async` transform, so that it may keep
    /// borrows of its own locals across a suspension.
    pub(crate) pinned: bool,
    /// `async`: the body may `.await`, and the coroutine is a `Stream` (on an `async fn`, or in
    /// `coro!`).
    pub(crate) asynchronous: Option<proc_macro2::Span>,
    /// `name = "..."`: the name `current()` reports.
    pub(crate) name: Option<LitStr>,
    /// `crate = "path"`: where the runtime is, for users who renamed the dependency.
    pub(crate) krate: Path,
}

impl Options {
    /// Whether the resume type is `()`, written or implied: only then is the coroutine an
    /// iterator, and only then can `suspend_from!` start a delegate without a first value.
    pub(crate) fn resume_is_unit(&self) -> bool {
        match &self.resume_ty {
            None => true,
            Some(Type::Tuple(t)) => t.elems.is_empty(),
            Some(_) => false,
        }
    }

    /// The name `current()` reports: the `name = ".."` option, else `default`.
    pub(crate) fn name_or(&self, default: &str) -> String {
        self.name
            .as_ref()
            .map_or_else(|| default.to_owned(), LitStr::value)
    }

    /// The resume type as tokens, `()` when absent.
    pub(crate) fn resume_ty(&self) -> Type {
        self.resume_ty
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(()))
    }
}

/// One `key = value` or flag, as written.
#[derive(Clone)]
pub(crate) enum Arg {
    Yield(Token![yield], Type),
    Resume(Ident, Type),
    Return(Token![return], Type),
    Clone(Ident),
    Pinned(Ident),
    Async(Token![async]),
    Name(Ident, LitStr),
    Crate(Token![crate], LitStr),
}

impl Parse for Arg {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![yield]) {
            let key: Token![yield] = input.parse()?;
            input
                .parse::<Token![=]>()
                .map_err(|e| expected_eq(e, "yield", "yield = u32"))?;
            return Ok(Arg::Yield(key, parse_type(input, "yield")?));
        }
        if input.peek(Token![return]) {
            let key: Token![return] = input.parse()?;
            input
                .parse::<Token![=]>()
                .map_err(|e| expected_eq(e, "return", "return = String"))?;
            return Ok(Arg::Return(key, parse_type(input, "return")?));
        }
        if input.peek(Token![async]) {
            return Ok(Arg::Async(input.parse()?));
        }
        if input.peek(Token![crate]) {
            let key: Token![crate] = input.parse()?;
            input
                .parse::<Token![=]>()
                .map_err(|e| expected_eq(e, "crate", "crate = \"::coro\""))?;
            return Ok(Arg::Crate(key, input.parse()?));
        }
        let key: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected an option: `yield = T`, `resume = T`, `clone`, `pinned`, `async` or `name = \"...\"`",
            )
        })?;
        match key.to_string().as_str() {
            "resume" => {
                input
                    .parse::<Token![=]>()
                    .map_err(|e| expected_eq(e, "resume", "resume = i32"))?;
                Ok(Arg::Resume(key, parse_type(input, "resume")?))
            }
            "clone" => Ok(Arg::Clone(key)),
            "pinned" => Ok(Arg::Pinned(key)),
            "name" => {
                input
                    .parse::<Token![=]>()
                    .map_err(|e| expected_eq(e, "name", "name = \"worker\""))?;
                Ok(Arg::Name(key, input.parse()?))
            }
            other => Err(syn::Error::new(
                key.span(),
                format!(
                    "unknown option `{other}`: the options are `yield = T`, `resume = T`, `clone`, `pinned`, `async` and `name = \"...\"`"
                ),
            )),
        }
    }
}

fn expected_eq(e: syn::Error, key: &str, example: &str) -> syn::Error {
    syn::Error::new(
        e.span(),
        format!("expected `=` after `{key}`, as in `{example}`"),
    )
}

fn parse_type(input: ParseStream, key: &str) -> syn::Result<Type> {
    if input.is_empty() || input.peek(Token![,]) {
        return Err(input.error(format!("expected a type after `{key} =`")));
    }
    input.parse::<Type>()
}

/// Parses the options of `#[coroutine(...)]`; `inline` allows `return = T` (for `coro!`).
pub(crate) fn parse_options(
    args: &Punctuated<Arg, Token![,]>,
    inline: bool,
    errors: &mut Errors,
) -> Options {
    let mut yield_ty = None;
    let mut resume_ty = None;
    let mut return_ty = None;
    let mut clone = None;
    let mut pinned = None;
    let mut asynchronous = None;
    let mut name = None;
    let mut krate = None;
    for arg in args {
        let (span, dup) = match arg {
            Arg::Yield(k, t) => (k.span, yield_ty.replace(t.clone()).is_some()),
            Arg::Resume(k, t) => (k.span(), resume_ty.replace(t.clone()).is_some()),
            Arg::Return(k, t) => {
                if !inline {
                    errors.error(
                        k.span,
                        "`return = T` is for `coro!`; a function writes its return type as `-> T`",
                    );
                }
                (k.span, return_ty.replace(t.clone()).is_some())
            }
            Arg::Clone(k) => (k.span(), clone.replace(k.span()).is_some()),
            Arg::Pinned(k) => (k.span(), pinned.replace(()).is_some()),
            Arg::Async(k) => (k.span, asynchronous.replace(k.span).is_some()),
            Arg::Name(k, n) => (k.span(), name.replace(n.clone()).is_some()),
            Arg::Crate(k, p) => {
                let Ok(path) = p.parse::<Path>() else {
                    errors.error(p.span(), "expected a path, as in `crate = \"::coro\"`");
                    continue;
                };
                (k.span, krate.replace(path).is_some())
            }
        };
        if dup {
            errors.error(span, "this option is given twice");
        }
    }
    // Left out, the body suspends with `()`, as `suspend!()` does.
    let yield_ty = yield_ty.unwrap_or_else(|| syn::parse_quote!(()));
    if let (Some(span), Some(())) = (clone, pinned) {
        errors.error(
            span,
            "`clone` cannot be combined with `pinned`: the state of a pinned coroutine may hold borrows of its own locals, which a copy would still point into; remove one of the two",
        );
    }
    if let (Some(span), Some(_)) = (clone, asynchronous) {
        errors.error(
            span,
            "`clone` cannot be combined with `async`: an async coroutine's state is a future, which may hold borrows of its own locals and futures that cannot be copied; remove `clone`",
        );
    }
    Options {
        yield_ty,
        resume_ty,
        return_ty,
        clone: clone.is_some(),
        pinned: pinned.is_some(),
        asynchronous,
        name,
        krate: krate.unwrap_or_else(|| syn::parse_quote!(::coro)),
    }
}

impl quote::ToTokens for Arg {
    fn to_tokens(&self, tokens: &mut proc_macro2::TokenStream) {
        use quote::quote;
        tokens.extend(match self {
            Arg::Yield(k, t) => quote!(#k = #t),
            Arg::Resume(k, t) => quote!(#k = #t),
            Arg::Return(k, t) => quote!(#k = #t),
            Arg::Clone(k) | Arg::Pinned(k) => quote!(#k),
            Arg::Async(k) => quote!(#k),
            Arg::Name(k, n) => quote!(#k = #n),
            Arg::Crate(k, p) => quote!(#k = #p),
        });
    }
}

/// The comma-separated options, as written.
pub(crate) struct Args(pub(crate) Punctuated<Arg, Token![,]>);

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(Args(Punctuated::parse_terminated(input)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn parse(tokens: proc_macro2::TokenStream) -> Result<Options, Vec<String>> {
        let mut errors = Errors::default();
        let args = syn::parse2::<Args>(tokens).map_err(|e| vec![e.to_string()])?;
        let options = parse_options(&args.0, false, &mut errors);
        if errors.is_empty() {
            Ok(options)
        } else {
            Err(errors
                .to_compile_errors()
                .into_iter()
                .map(|t| t.to_string())
                .collect())
        }
    }

    #[test]
    fn all_options() {
        let o =
            parse(quote::quote!(yield = Vec<u8>, resume = Result<(), E>, clone, name = "worker"))
                .unwrap();
        assert_eq!(o.yield_ty.to_token_stream().to_string(), "Vec < u8 >");
        assert_eq!(
            o.resume_ty().to_token_stream().to_string(),
            "Result < () , E >"
        );
        assert!(o.clone);
        assert_eq!(
            o.name.as_ref().map(syn::LitStr::value).as_deref(),
            Some("worker")
        );
        assert!(!o.resume_is_unit());
        assert_eq!(o.krate.to_token_stream().to_string(), ":: coro");
    }

    #[test]
    fn defaults_and_unit_resume() {
        let o = parse(quote::quote!(yield = u32)).unwrap();
        assert!(o.resume_is_unit() && !o.clone && o.name.is_none());
        let o = parse(quote::quote!(yield = u32, resume = (), crate = "::my_coro")).unwrap();
        assert!(o.resume_is_unit());
        assert_eq!(o.krate.to_token_stream().to_string(), ":: my_coro");
        let o = parse(quote::quote!()).unwrap();
        assert_eq!(o.yield_ty.to_token_stream().to_string(), "()");
    }

    #[test]
    fn mistakes_are_reported() {
        let err = |t| parse(t).err().unwrap().join("\n");
        assert!(err(quote::quote!(yield u32)).contains("expected `=` after `yield`"));
        assert!(err(quote::quote!(yield = u32, fast)).contains("unknown option `fast`"));
        assert!(err(quote::quote!(yield = u32, clone, clone)).contains("given twice"));
        assert!(
            err(quote::quote!(yield = u32, return = u8)).contains("`return = T` is for `coro!`")
        );
        assert!(err(quote::quote!(yield = u32, crate = "not a path")).contains("expected a path"));
    }
}
