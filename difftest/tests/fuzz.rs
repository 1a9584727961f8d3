//! The transform never panics: mutated token streams of valid coroutines (tokens dropped,
//! duplicated, swapped, at every depth) give an expansion or `compile_error!`s, never a panic.
#![allow(missing_docs)]
// Random indices below a length and small budgets: nothing to truncate.
#![allow(clippy::cast_possible_truncation)]

use difftest::generator::{Rng, generate};
use proc_macro2::{Group, TokenStream, TokenTree};

/// How many mutants of each source; `DIFFTEST_FUZZ=N` runs more.
const DEFAULT_MUTANTS: usize = 40;

/// Hand-written bodies beside the generated ones, for the syntax the generator does not write.
const EXTRA: &[&str] = &[
    "#[coro::coroutine(yield = u32, resume = Result<u32, E>, clone, name = \"x\")]
     pub(crate) fn f<'a, T: Clone, E>(&'a mut self, v: &'a [T], #[resume] first: Result<u32, E>) -> Result<(), E> where T: Send {
         let mut r = &mut self.items; for (i, x) in v.iter().enumerate() { let y = suspend!(i as u32)?; r.push(y); }
         let Some(z) = v.first() else { return Ok(()) };
         match suspend!(1) { Ok(n) if n > 2 => println!(\"{n}\"), Err(e) => return Err(e), _ => {} }
         'outer: loop { while let Some(q) = it.next() && q > 1 { if suspend!(q)? == 0 { break 'outer; } continue 'outer; } }
         let c = || suspend_from!(g(1)); unsafe { x }; async { 1 }; Ok(())
     }",
];

fn mutate(tokens: TokenStream, rng: &mut Rng, budget: &mut u32) -> TokenStream {
    let mut trees: Vec<TokenTree> = tokens.into_iter().collect();
    for tree in &mut trees {
        if let TokenTree::Group(g) = tree
            && rng.below(4) == 0
        {
            let mut new = Group::new(g.delimiter(), mutate(g.stream(), rng, budget));
            new.set_span(g.span());
            *tree = TokenTree::Group(new);
        }
    }
    while *budget > 0 && !trees.is_empty() && rng.below(3) != 0 {
        *budget -= 1;
        let i = rng.below(trees.len() as u64) as usize;
        match rng.below(3) {
            0 => {
                trees.remove(i);
            }
            1 => {
                let t = trees[i].clone();
                trees.insert(i, t);
            }
            _ => {
                let j = rng.below(trees.len() as u64) as usize;
                trees.swap(i, j);
            }
        }
    }
    trees.into_iter().collect()
}

fn split(source: &str) -> Vec<(TokenStream, TokenStream)> {
    let file: syn::File = syn::parse_str(source).expect("the sources parse");
    file.items
        .into_iter()
        .filter_map(|item| {
            let syn::Item::Fn(mut f) = item else {
                return None;
            };
            let attr = f.attrs.remove(0);
            let syn::Meta::List(list) = attr.meta else {
                return None;
            };
            Some((list.tokens, quote::ToTokens::to_token_stream(&f)))
        })
        .collect()
}

#[test]
fn mutated_coroutines_expand_or_report_errors_never_panic() {
    let mutants = std::env::var("DIFFTEST_FUZZ")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_MUTANTS);
    let mut sources: Vec<String> = (0..30)
        .map(|seed| generate(seed).coroutine_source())
        .collect();
    sources.extend(EXTRA.iter().map(|s| (*s).to_owned()));
    let handle = std::thread::Builder::new()
        // A proc macro runs on rustc's main thread, which has 8 MiB.
        .stack_size(if std::env::var_os("FUZZ_BIG").is_some() { 512 << 20 } else { 8 << 20 })
        .spawn(move || {
            let mut rng = Rng::new(0xF022);
            let mut runs = 0;
            for source in &sources {
                for (args, item) in split(source) {
                    for _ in 0..mutants {
                        let mut budget = 1 + rng.below(4) as u32;
                        let (args, item) = if rng.below(5) == 0 {
                            (mutate(args.clone(), &mut rng, &mut budget), item.clone())
                        } else {
                            (args.clone(), mutate(item.clone(), &mut rng, &mut budget))
                        };
                        let shown = format!("#[coroutine({args})] {item}");
                        if std::env::var_os("FUZZ_SHOW").is_some() { eprintln!("MUTANT {shown}"); }
                        let out = std::panic::catch_unwind(|| coro_transform::expand_attribute(args, item))
                            .unwrap_or_else(|_| panic!("the transform panicked on:\n{shown}"));
                        assert!(!out.is_empty(), "an empty expansion for:\n{shown}");
                        // Input that does not parse is handed back beside the error, for rustc
                        // to report too; anything else must come out as valid items.
                        let text = out.to_string();
                        if let Err(e) = syn::parse2::<syn::File>(out) {
                            assert!(
                                text.contains("compile_error"),
                                "the expansion neither parses ({e}) nor reports an error, for:\n{shown}"
                            );
                        }
                        runs += 1;
                    }
                }
            }
            runs
        })
        .expect("spawn");
    let runs = handle.join().expect("no panic");
    eprintln!("{runs} mutants expanded without a panic");
}
