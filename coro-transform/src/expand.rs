//! IR + analysis → the state machine's tokens. Decides nothing: every choice was made by
//! `lower` and `analysis`.
//!
//! The output for `fn f(a: A) -> T` with `yield = Y` and `resume = R` has this shape:
//!
//! ```text
//! enum __CoroState<P0, L3, L7, D5, ...> {     // one type parameter per saved local: rustc
//!     Start { p0: P0 },                       //   infers every type, none is written
//!     S0 { l7: L7, l3: L3 },                  // one variant per suspension point, holding the
//!     S1 { h: D5, l3: L3 },                   //   locals kept there, latest declared first (so
//!     J0 { .. },                              //   dropping a variant drops them in Rust's order)
//!     __Returned, __Killed, __Panicked,       // a delegate's coroutine comes before the locals
//! }
//! coro::__private::new::<R, Y, T, _, _, _>(__CoroState::Start { p0: a }, frames, move |state, frames, arg| {
//!     'dispatch: loop {                       // only when one resume can go through several
//!         let ret: T = 'body: {               //   states (delegation, recursion, jumps)
//!             match state {
//!                 Start { .. } => { /* take the parameters; run the body to its first suspension */ }
//!                 S0 { .. } => { /* take the saved locals; bind `arg`; run from there */ }
//!                 S1 { h, .. } => match h.resume(arg) { Ok(y) => return Ok(y), Err(e) => { /* ... */ } }
//!                 __Returned => return Err(EarlyExit::Finished),
//!                 __Killed => return Err(EarlyExit::Killed),
//!                 __Panicked => return Err(EarlyExit::Panicked),
//!             }
//!         };
//!         // a recursive frame returned: pop its caller and continue it (recursion only)
//!         *state = __Returned;
//!         return Err(EarlyExit::Returned(ret));
//!     }
//! })
//! ```
//!
//! Inside an arm, the body is emitted as structured Rust, from the arm's entry point to the next
//! suspension points. To resume inside a construct, the arm re-enters it: the enclosing blocks are
//! opened again (their locals bound from the state), a loop's interrupted iteration is finished
//! in a labeled block and the loop is emitted again after it:
//!
//! ```text
//! 'o: { 'it: { /* rest of the iteration: `continue` is `break 'it`, `break` is `break 'o` */ }
//!       'label: loop { /* the loop, as written */ } }
//! ```
//!
//! A suspension point saves the locals it keeps and returns: `*state = S0 { .. }; return Ok(y)`.
//! An arm resumed **in place** matches its variant by reference and works on the locals where
//! they are (`(*r3)`), moving them out only when it leaves the loop.
//!
//! A body that calls a macro whose expansion may hold a `return` (`anyhow::bail!`, a user's
//! `macro_rules!`) runs its arms in an **exit scope**, since such a `return` leaves the innermost
//! closure: `match exit_scope::<T, _, _>(|exit| exit.value('body: { match state { .. } })) { .. }`,
//! where the arms leave with `return exit.leave(step)` instead of `return step` and jump with
//! `return exit.redispatch()` instead of `continue 'dispatch`. For a return type written
//! `Result` or `Option` the closure returns `Result<Flow, E>` or `Option<Flow>`, so the macro's
//! `return Err(e)` or `return None` is the body's value.
//!
//! The fixed variants: `Start` holds the arguments of a coroutine that has not run; `__Returned`,
//! `__Killed` and `__Panicked` are the dead states, `__Panicked` doubling as the placeholder left
//! in the state while an arm runs (so that a panic leaves the coroutine dead).

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{Ident, Lifetime, Type};

use crate::analysis::{Analysis, Facts, JumpKind, Region, diverges};
use crate::ir::{BlockId, Body, LocalId, LocalSet, PointId, PointKind, Stmt, TargetId, Uses};
use crate::prepare::body_label;
use crate::resolve::Substitute;

/// Everything the expansion needs.
pub(crate) struct Expansion<'a> {
    pub(crate) body: &'a Body,
    pub(crate) an: &'a Analysis,
    pub(crate) krate: &'a syn::Path,
    pub(crate) yield_ty: &'a Type,
    pub(crate) resume_ty: &'a Type,
    /// The return type; `None` in `coro!` without `return = T` (inferred).
    pub(crate) return_ty: Option<&'a Type>,
    pub(crate) name: &'a str,
    pub(crate) clone: bool,
    /// The body calls a macro whose expansion may hold a `return` (`prepare` decides).
    pub(crate) hidden_exits: bool,
}

/// Where an arm starts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    Point(PointId),
    Jump(usize),
}

/// How a lowered `break` / `continue` to a target is written where it stands.
#[derive(Clone)]
struct TargetEmit {
    brk: TokenStream,
    cont: TokenStream,
    /// The target is inside the in-place region (leaving to it does not leave the region).
    inside: bool,
}

/// The in-place arm being emitted.
#[derive(Clone)]
struct InPlace {
    point: PointId,
    /// The code the arm works in place in.
    region: Region,
    /// Moves the locals out of the state into their owned names.
    materialize: TokenStream,
    /// Exits of the body do that first.
    exits_move: bool,
    /// The reference each saved local is bound to.
    refs: HashMap<LocalId, Ident>,
    /// The reference to the variant's `__at` field, when several points share it.
    at: Option<Ident>,
    /// The reference each other local of the variant (an `Option`, moved out on resume) is
    /// bound to.
    slots: HashMap<LocalId, Ident>,
}

#[derive(Clone, Default)]
struct Ctx {
    targets: HashMap<TargetId, TargetEmit>,
    in_place: Option<InPlace>,
    /// Inside the in-place region.
    region: bool,
    /// The loop head this arm starts at (emitted as a loop, not as a jump to itself).
    own_head: Option<TargetId>,
    /// Locals the code emitted so far names (a local declared without a value is only
    /// declared where code names it: otherwise nothing would give it a type).
    mentioned: LocalSet,
    /// The in-place locals have been moved out somewhere in the code emitted so far (so their
    /// owned names must be declared).
    materialized: bool,
    /// Re-entered loops whose interrupted iteration has a `continue` (so the loop after it is
    /// reachable).
    continued: std::collections::HashSet<TargetId>,
    /// Targets a `break` has been emitted to (so the construct can complete in this arm).
    broke: std::collections::HashSet<TargetId>,
}

/// A return type written `Result<..>` or `Option<..>` (any path ending so: `io::Result<T>`,
/// `anyhow::Result<T>`, `fmt::Result`), whose early exits a macro can write.
pub(crate) fn scoped_return_type(ty: &Type) -> bool {
    // `impl Trait` return types were refused before expansion.
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|last| last.ident == "Result" || last.ident == "Option"),
        _ => false,
    }
}

/// Whether `e`, written after a statement, would be read as a statement that ends at its
/// first `}`: its leftmost operand is a block-like expression, and it is more than that.
fn starts_with_block(e: &syn::Expr) -> bool {
    use syn::Expr;
    fn leftmost_operand(e: &Expr) -> Option<&Expr> {
        match e {
            Expr::Binary(b) => Some(&b.left),
            Expr::Assign(a) => Some(&a.left),
            Expr::MethodCall(m) => Some(&m.receiver),
            Expr::Field(f) => Some(&f.base),
            Expr::Index(i) => Some(&i.expr),
            Expr::Call(c) => Some(&c.func),
            Expr::Cast(c) => Some(&c.expr),
            Expr::Try(t) => Some(&t.expr),
            Expr::Await(a) => Some(&a.base),
            Expr::Range(r) => r.start.as_deref(),
            _ => None,
        }
    }
    let mut operand = leftmost_operand(e);
    while let Some(e) = operand {
        if matches!(
            e,
            Expr::Match(_)
                | Expr::If(_)
                | Expr::Block(_)
                | Expr::Loop(_)
                | Expr::While(_)
                | Expr::ForLoop(_)
                | Expr::Unsafe(_)
                | Expr::Const(_)
                | Expr::TryBlock(_)
        ) {
            return true;
        }
        operand = leftmost_operand(e);
    }
    false
}

/// Which delegation a `suspend_from!` starts: the delegate of a boxed one may stand on a
/// delegation chain's stack (see `coro_core::__private::chain`), so that mutual recursion runs at
/// any depth without native recursion.
#[derive(Clone, Copy)]
enum DelegationKind {
    /// `g(..).boxed()`, or a delegate the lowering boxed: a `Box` for certain.
    Boxed,
    Plain,
}

impl ToTokens for DelegationKind {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(match self {
            DelegationKind::Boxed => quote!(BoxDelegation),
            DelegationKind::Plain => quote!(Delegation),
        });
    }
}

fn delegation_kind(delegate: &syn::Expr) -> DelegationKind {
    let boxed = match delegate {
        syn::Expr::MethodCall(m) => {
            m.method == "boxed" && m.args.is_empty() && m.turbofish.is_none()
        }
        syn::Expr::Call(c) => matches!(
            &*c.func,
            syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "boxed_delegate")
        ),
        _ => false,
    };
    if boxed {
        DelegationKind::Boxed
    } else {
        DelegationKind::Plain
    }
}

fn mixed(name: &str) -> Ident {
    Ident::new(name, Span::mixed_site())
}

fn label(name: &str) -> Lifetime {
    Lifetime::new(name, Span::mixed_site())
}

impl Expansion<'_> {
    fn state_ty() -> Ident {
        mixed("__CoroState")
    }

    fn state() -> Ident {
        mixed("__coro_state")
    }

    fn frames() -> Ident {
        mixed("__coro_frames")
    }

    fn arg() -> Ident {
        mixed("__coro_arg")
    }

    fn mode() -> Ident {
        mixed("__coro_mode")
    }

    fn dispatch_label() -> Lifetime {
        label("'__coro_dispatch")
    }

    fn dispatches(&self) -> bool {
        self.an.dispatches(self.body)
    }

    /// Whether the arms run inside an exit scope (see the module doc): the body calls a macro
    /// whose expansion may hold a `return`, which returns from the innermost closure.
    fn scoped(&self) -> bool {
        self.hidden_exits
    }

    fn exit_scope() -> Ident {
        mixed("__coro_exit")
    }

    /// Leaves the resume with `step` (a `Result<Y, EarlyExit<T>>`).
    fn leave(&self, step: &TokenStream) -> TokenStream {
        if self.scoped() {
            let exit = Self::exit_scope();
            quote!(return #exit.leave(#step))
        } else {
            quote!(return #step)
        }
    }

    /// Runs the dispatch on the state again.
    fn redispatch(&self) -> TokenStream {
        if self.scoped() {
            let exit = Self::exit_scope();
            quote!(return #exit.redispatch())
        } else {
            let dispatch = Self::dispatch_label();
            quote!(continue #dispatch)
        }
    }

    fn point_variant(p: PointId) -> Ident {
        format_ident!("S{}", p)
    }

    fn jump_variant(j: usize) -> Ident {
        format_ident!("J{}", j)
    }

    fn field(l: LocalId) -> Ident {
        format_ident!("__l{}", l)
    }

    fn facts(&self, entry: Entry) -> &Facts {
        match entry {
            Entry::Point(p) => &self.an.points[p],
            Entry::Jump(j) => &self.an.jumps[j].facts,
        }
    }

    fn local(&self, l: LocalId) -> &Ident {
        &self.body.locals[l].ident
    }

    /// The non-`#[resume]` parameters, with their index among all parameters.
    fn start_params(&self) -> Vec<usize> {
        (0..self.body.params.len())
            .filter(|&i| !self.body.params[i].is_resume)
            .collect()
    }

    // ---- the enum ----------------------------------------------------------------------------

    /// The type parameters: one per parameter, per saved local, per delegate.
    fn generics(&self) -> (Vec<Ident>, HashMap<LocalId, Ident>) {
        let mut names = Vec::new();
        for i in self.start_params() {
            names.push(format_ident!("__P{}", i));
        }
        let mut locals = HashMap::new();
        let mut ids: Vec<LocalId> = Vec::new();
        for f in self
            .an
            .points
            .iter()
            .chain(self.an.jumps.iter().map(|j| &j.facts))
        {
            ids.extend(&f.saved);
        }
        for p in &self.body.points {
            if let PointKind::Delegate { handle, .. } = p.kind {
                ids.push(handle);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        for l in ids {
            let ty = format_ident!("__L{}", l);
            names.push(ty.clone());
            locals.insert(l, ty);
        }
        (names, locals)
    }

    fn variant_fields(
        facts: &Facts,
        handle: Option<LocalId>,
        tys: &HashMap<LocalId, Ident>,
    ) -> TokenStream {
        let mut fields = Vec::new();
        if let Some(h) = handle {
            let ty = &tys[&h];
            fields.push(quote!(__h: #ty));
        }
        for &l in facts.saved.iter().rev() {
            let (f, ty) = (Self::field(l), &tys[&l]);
            fields.push(quote!(#f: #ty));
        }
        quote!({ #(#fields),* })
    }

    fn enum_def(&self) -> TokenStream {
        let (generics, tys) = self.generics();
        let state_ty = Self::state_ty();
        let start_fields = self.start_params().into_iter().rev().map(|i| {
            let (f, ty) = (format_ident!("__p{}", i), format_ident!("__P{}", i));
            quote!(#f: #ty)
        });
        let mut variants = Vec::new();
        for (p, facts) in self.an.points.iter().enumerate() {
            if self.an.home[p] != p {
                continue;
            }
            let v = Self::point_variant(p);
            let fields = if let Some(ip) = &self.an.in_place[p] {
                let at = self.shared(p).then(|| quote!(__at: u32,));
                let fields = self.in_place_locals(p).into_iter().rev().map(|l| {
                    let (f, ty) = (Self::field(l), &tys[&l]);
                    if ip.held.contains(&l) {
                        quote!(#f: #ty)
                    } else {
                        quote!(#f: ::core::option::Option<#ty>)
                    }
                });
                quote!({ #at #(#fields),* })
            } else {
                Self::variant_fields(facts, self.handle(p), &tys)
            };
            variants.push(quote!(#v #fields));
        }
        for (j, jump) in self.an.jumps.iter().enumerate() {
            let v = Self::jump_variant(j);
            let fields = Self::variant_fields(&jump.facts, None, &tys);
            variants.push(quote!(#v #fields));
        }
        let derive = self.clone.then(|| quote!(#[derive(::core::clone::Clone)]));
        let krate = self.krate;
        let name = self.name;
        let handing = self.handing_impl(&generics, &tys);
        quote! {
            #[allow(non_camel_case_types, dead_code, clippy::large_enum_variant)]
            #derive
            enum #state_ty<#(#generics),*> {
                Start { #(#start_fields),* },
                #(#variants,)*
                __Returned,
                __Killed,
                __Panicked,
            }
            #[allow(unreachable_patterns)]
            impl<#(#generics),*> #krate::__private::State for #state_ty<#(#generics),*> {
                const META: &'static #krate::__private::Meta = &#krate::__private::Meta { name: #name };
                const RETURNED: Self = Self::__Returned;
                const KILLED: Self = Self::__Killed;
                const PANICKED: Self = Self::__Panicked;
                fn status(&self) -> #krate::__private::Status {
                    match self {
                        Self::Start { .. } => #krate::__private::Status::Unstarted,
                        Self::__Returned => #krate::__private::Status::Finished,
                        Self::__Killed => #krate::__private::Status::Killed,
                        Self::__Panicked => #krate::__private::Status::Panicked,
                        _ => #krate::__private::Status::Suspended,
                    }
                }
            }
            #handing
        }
    }

    /// Whether the body delegates (`suspend_from!` of another coroutine): its closure then
    /// takes the mode it runs in, and its state finds the delegation that handed off.
    fn delegates(&self) -> bool {
        self.body
            .points
            .iter()
            .any(|p| matches!(p.kind, PointKind::Delegate { .. }))
    }

    /// `impl Handing for __CoroState`: the delegation of the variant the coroutine is suspended
    /// in, asked for the delegate it handed off (see `coro_core::__private::chain`).
    fn handing_impl(&self, generics: &[Ident], tys: &HashMap<LocalId, Ident>) -> TokenStream {
        if !self.delegates() {
            return TokenStream::new();
        }
        let (krate, state_ty) = (self.krate, Self::state_ty());
        let (r, y) = (mixed("__R"), mixed("__Y"));
        let mut bounds = Vec::new();
        let mut arms = Vec::new();
        for (p, point) in self.body.points.iter().enumerate() {
            if let PointKind::Delegate { handle, .. } = point.kind {
                let ty = &tys[&handle];
                bounds.push(quote!(#ty: #krate::__private::Delegates<#r, #y>));
                let v = Self::point_variant(p);
                arms.push(quote! {
                    Self::#v { __h, .. } => #krate::__private::Delegates::take_handed(__h),
                });
            }
        }
        quote! {
            impl<#r, #y, #(#generics),*> #krate::__private::Handing<#r, #y> for #state_ty<#(#generics),*>
            where
                #(#bounds,)*
            {
                fn take_handed<'a>(&mut self) -> ::core::option::Option<#krate::__private::Level<'a, #r, #y>>
                where
                    Self: 'a,
                {
                    match self {
                        #(#arms)*
                        _ => ::core::option::Option::None,
                    }
                }
            }
        }
    }

    /// The points saved in `home`'s variant, in order (see `analysis::shared_homes`).
    fn members(&self, home: PointId) -> Vec<PointId> {
        (0..self.an.home.len())
            .filter(|&q| self.an.home[q] == home)
            .collect()
    }

    /// Whether `p`'s variant is shared with other points (and so has an `__at` field).
    fn shared(&self, p: PointId) -> bool {
        self.members(self.an.home[p]).len() > 1
    }

    /// The locals of an in-place variant, in declaration order: those every point of it keeps in
    /// place, and the others any of its points saves (each in an `Option`).
    fn in_place_locals(&self, home: PointId) -> Vec<LocalId> {
        let mut all: LocalSet = LocalSet::new();
        for q in self.members(home) {
            all.extend(self.an.points[q].saved.iter().copied());
        }
        all.into_iter().collect()
    }

    /// The saved locals of in-place point `p` that are moved out on resume (not held).
    fn slotted(&self, p: PointId) -> Vec<LocalId> {
        let held = &self.an.in_place[p]
            .as_ref()
            .expect("an in-place point")
            .held;
        self.an.points[p]
            .saved
            .iter()
            .copied()
            .filter(|l| !held.contains(l))
            .collect()
    }

    /// `*state = Home { __at: i, held, slots }`: the state of in-place point `p`, built from the
    /// owned locals.
    fn save_in_place(&self, p: PointId) -> TokenStream {
        let home = self.an.home[p];
        let variant = Self::point_variant(home);
        let held = &self.an.in_place[p]
            .as_ref()
            .expect("an in-place point")
            .held;
        let saved = &self.an.points[p].saved;
        let at = self.shared(p).then(|| {
            let i = self.at_index(p);
            quote!(__at: #i,)
        });
        let fields = self.in_place_locals(home).into_iter().rev().map(|l| {
            let (f, name) = (Self::field(l), self.local(l));
            if held.contains(&l) {
                quote!(#f: #name)
            } else if saved.contains(&l) {
                quote!(#f: ::core::option::Option::Some(#name))
            } else {
                quote!(#f: ::core::option::Option::None)
            }
        });
        let (state, state_ty) = (Self::state(), Self::state_ty());
        quote!(*#state = #state_ty::#variant { #at #(#fields),* };)
    }

    /// The value of `__at` that says the coroutine is suspended at `p`.
    fn at_index(&self, p: PointId) -> u32 {
        let members = self.members(self.an.home[p]);
        let i = members.iter().position(|&q| q == p).unwrap_or(0);
        u32::try_from(i).unwrap_or(u32::MAX)
    }

    fn handle(&self, p: PointId) -> Option<LocalId> {
        match self.body.points[p].kind {
            PointKind::Delegate { handle, .. } => Some(handle),
            _ => None,
        }
    }

    // ---- the whole body ----------------------------------------------------------------------

    /// The statements of the generated function body (or `coro!` block): items, the enum, and
    /// the coroutine value as the final expression. `start` are the values of the `Start`
    /// fields, in parameter order (resume parameters excluded).
    pub(crate) fn expand(&self, start: &[TokenStream]) -> TokenStream {
        let items = &self.body.items;
        let enum_def = self.enum_def();
        let state_ty = Self::state_ty();
        let krate = self.krate;
        let (r, y) = (self.resume_ty, self.yield_ty);
        let t = self
            .return_ty
            .map_or_else(|| quote!(_), ToTokens::to_token_stream);
        let start_fields = self.start_params().into_iter().zip(start).map(|(i, v)| {
            let f = format_ident!("__p{}", i);
            quote!(#f: #v)
        });
        let frames_init = if self.an.recursive {
            quote!(#krate::__private::Frames::new())
        } else {
            quote!(#krate::__private::NoFrames)
        };
        let (state, frames, arg) = (Self::state(), Self::frames(), Self::arg());
        let closure_body = self.closure_body();
        let coro = mixed("__coro");
        let (new, mode) = if self.delegates() {
            let mode = Self::mode();
            (quote!(new_delegating), quote!(, #mode))
        } else {
            (quote!(new), TokenStream::new())
        };
        quote! {
            #(#items)*
            #enum_def
            #[allow(
                unused_mut,
                unused_variables,
                unused_assignments,
                unused_labels,
                unused_braces,
                unreachable_code,
                clippy::needless_return,
                clippy::never_loop,
                clippy::let_unit_value,
                clippy::diverging_sub_expression,
                clippy::unused_unit,
                // An arm's value, a statement once the `match` around it is lowered.
                clippy::no_effect
            )]
            let #coro = #krate::__private::#new::<#r, #y, #t, _, _, _>(
                #state_ty::Start { #(#start_fields),* },
                #frames_init,
                move |#state, #frames, #arg #mode| #closure_body,
            );
            #coro
        }
    }

    fn closure_body(&self) -> TokenStream {
        let krate = self.krate;
        let (state, frames, arg) = (Self::state(), Self::frames(), Self::arg());
        let state_ty = Self::state_ty();
        let body_label = body_label();
        let dispatch = Self::dispatch_label();
        let ret = mixed("__coro_ret");
        let fret = mixed("__coro_fret");
        let ret_ty = self.return_ty.map(|t| quote!(: #t));
        let arms = self.arms();
        let matched = if self.scoped() {
            let t = self.return_ty;
            let exit = Self::exit_scope();
            let (v, s) = (mixed("__coro_v"), mixed("__coro_s"));
            let redispatch = self
                .dispatches()
                .then(|| quote!(#krate::__private::Flow::Redispatch => continue #dispatch,));
            let scope = if t.is_some_and(scoped_return_type) {
                quote!(exit_scope)
            } else {
                quote!(exit_scope_plain)
            };
            let t = t.map_or_else(|| quote!(_), ToTokens::to_token_stream);
            quote! {
                let #ret #ret_ty = match #krate::__private::#scope::<#t, _, _>(|#exit| {
                    #exit.value(#body_label: {
                        match #state { #(#arms)* }
                    })
                }) {
                    #krate::__private::Flow::Value(#v) => #v,
                    #krate::__private::Flow::Leave(#s) => return #s,
                    #redispatch
                    #[allow(unreachable_patterns)]
                    _ => ::core::unreachable!(),
                };
            }
        } else {
            quote! {
                let #ret #ret_ty = #body_label: {
                    match #state { #(#arms)* }
                };
            }
        };
        let finish = quote! {
            *#state = #state_ty::__Returned;
            return ::core::result::Result::Err(#krate::__private::EarlyExit::Returned(#ret));
        };
        if !self.dispatches() {
            return quote!({ #matched #finish });
        }
        let (fret_decl, pop) = if self.an.recursive {
            let t = self
                .return_ty
                .map_or_else(|| quote!(_), ToTokens::to_token_stream);
            // One arm per point a caller can wait at, so that each `continue` goes straight to
            // that point's arm instead of through the dispatch on the state's tag.
            let waits = (0..self.body.points.len())
                .filter(|&p| matches!(self.body.points[p].kind, PointKind::Recurse { .. }))
                .map(|p| {
                    let variant = Self::point_variant(p);
                    quote! {
                        #state_ty::#variant { .. } => continue #dispatch,
                    }
                });
            (
                quote!(let mut #fret: ::core::option::Option<#t> = ::core::option::Option::None;),
                quote! {
                    if #krate::__private::Frames::pop(#frames, #state) {
                        #fret = ::core::option::Option::Some(#ret);
                        match #state {
                            #(#waits)*
                            _ => ::core::unreachable!(),
                        }
                    }
                },
            )
        } else {
            (TokenStream::new(), TokenStream::new())
        };
        // A delegating body is given its resume value as an `Option` already: `None` when it
        // runs on after a delegate it handed off has ended.
        let wrap = if self.delegates() {
            quote!(#arg)
        } else {
            quote!(::core::option::Option::Some(#arg))
        };
        quote!({
            let mut #arg = #wrap;
            #fret_decl
            #dispatch: loop {
                #matched
                #pop
                #finish
            }
        })
    }

    /// The resume value, taken (once) from the closure's argument.
    fn take_arg(&self) -> TokenStream {
        let arg = Self::arg();
        if self.dispatches() {
            quote!(match ::core::option::Option::take(&mut #arg) {
                ::core::option::Option::Some(v) => v,
                ::core::option::Option::None => ::core::unreachable!(),
            })
        } else {
            quote!(#arg)
        }
    }

    fn set_arg(value: &TokenStream) -> TokenStream {
        let arg = Self::arg();
        quote!(#arg = ::core::option::Option::Some(#value);)
    }

    // ---- arms --------------------------------------------------------------------------------

    fn arms(&self) -> Vec<TokenStream> {
        let krate = self.krate;
        let state_ty = Self::state_ty();
        // Arms follow program order: rustc infers types in the order it reads the code, and a
        // local's type is set where the code that creates it stands.
        let order = self.program_order();
        let mut entries: Vec<(usize, Entry)> = (0..self.body.points.len())
            .map(|p| {
                (
                    2 * order[&(self.body.points[p].block, self.body.points[p].index)] + 1,
                    Entry::Point(p),
                )
            })
            .chain(self.an.jumps.iter().enumerate().map(|(j, jump)| {
                let at = match jump.kind {
                    JumpKind::Before(b, i) => order.get(&(b, i)).copied().unwrap_or(usize::MAX / 4),
                    JumpKind::LoopHead(t) => {
                        order[&(self.body.targets[t].block, self.body.targets[t].index)]
                    }
                };
                (2 * at, Entry::Jump(j))
            }))
            .collect();
        entries.sort_by_key(|(key, _)| *key);
        let mut arms = vec![self.start_arm()];
        for (_, entry) in entries {
            arms.push(match entry {
                Entry::Point(p) => self.point_arm(p),
                Entry::Jump(j) => self.jump_arm(j),
            });
        }
        let exit = |variant: &str, exit: &str| {
            let (v, e) = (mixed(variant), mixed(exit));
            let leave =
                self.leave(&quote!(::core::result::Result::Err(#krate::__private::EarlyExit::#e)));
            quote!(#state_ty::#v => #leave,)
        };
        // A shared variant's arms are told apart by guards on `__at`, which leave the match
        // non-exhaustive to rustc.
        for p in 0..self.body.points.len() {
            if self.an.home[p] == p && self.shared(p) {
                let v = Self::point_variant(p);
                arms.push(quote!(#state_ty::#v { .. } => ::core::unreachable!(),));
            }
        }
        arms.push(exit("__Returned", "Finished"));
        arms.push(exit("__Killed", "Killed"));
        arms.push(exit("__Panicked", "Panicked"));
        arms
    }

    /// The position of every statement in a pre-order walk of the body.
    fn program_order(&self) -> HashMap<(BlockId, usize), usize> {
        fn walk(body: &Body, b: BlockId, order: &mut HashMap<(BlockId, usize), usize>) {
            for (i, stmt) in body.blocks[b].stmts.iter().enumerate() {
                let n = order.len();
                order.insert((b, i), n);
                for c in crate::analysis::children(stmt) {
                    walk(body, c, order);
                }
            }
        }
        let mut order = HashMap::new();
        walk(self.body, 0, &mut order);
        order
    }

    /// `let Variant { fields: bindings } = mem::replace(state, __Panicked) else { unreachable };`
    fn take_state(
        variant: &Ident,
        fields: &[(Ident, Ident)],
        handle: Option<TokenStream>,
    ) -> TokenStream {
        let (state, state_ty) = (Self::state(), Self::state_ty());
        let fields = fields.iter().map(|(f, b)| quote!(#f: #b));
        let handle = handle.map(|h| quote!(__h: #h,));
        quote! {
            let #state_ty::#variant { #handle #(#fields),* } =
                ::core::mem::replace(#state, #state_ty::__Panicked) else { ::core::unreachable!() };
        }
    }

    /// `take_state` for a variant with fields the arm does not take (a shared variant's `__at`).
    fn take_state_rest(variant: &Ident, fields: &[(Ident, Ident)]) -> TokenStream {
        let (state, state_ty) = (Self::state(), Self::state_ty());
        let fields = fields.iter().map(|(f, b)| quote!(#f: #b));
        quote! {
            let #state_ty::#variant { #(#fields,)* .. } =
                ::core::mem::replace(#state, #state_ty::__Panicked) else { ::core::unreachable!() };
        }
    }

    fn start_arm(&self) -> TokenStream {
        let state_ty = Self::state_ty();
        let fields: Vec<(Ident, Ident)> = self
            .start_params()
            .into_iter()
            .map(|i| (format_ident!("__p{}", i), format_ident!("__s_p{}", i)))
            .collect();
        let take = Self::take_state(&mixed("Start"), &fields, None);
        let mut binds = Vec::new();
        for (i, p) in self.body.params.iter().enumerate() {
            let pat = &p.pat;
            if p.is_resume {
                let value = self.take_arg();
                binds.push(quote!(let #pat = #value;));
            } else {
                let v = format_ident!("__s_p{}", i);
                binds.push(quote!(let #pat = #v;));
            }
        }
        let mut ctx = Ctx::default();
        let (body, _) = self.emit_stmts(0, 0, false, &mut ctx);
        quote! {
            #state_ty::Start { .. } => {
                #take
                #(#binds)*
                #body
            }
        }
    }

    fn moved_fields(facts: &Facts) -> Vec<(Ident, Ident)> {
        facts
            .saved
            .iter()
            .map(|&l| (Self::field(l), format_ident!("__s{}", l)))
            .collect()
    }

    fn point_arm(&self, p: PointId) -> TokenStream {
        let state_ty = Self::state_ty();
        let variant = Self::point_variant(p);
        let facts = &self.an.points[p];
        let krate = self.krate;
        match &self.body.points[p].kind {
            PointKind::Delegate { .. } => {
                let take = Self::take_state(&variant, &Self::moved_fields(facts), Some(quote!(_)));
                let (d, dv) = (mixed("__coro_d"), mixed("__coro_dv"));
                let y = mixed("__coro_y");
                let (state, frames, arg, mode) =
                    (Self::state(), Self::frames(), Self::arg(), Self::mode());
                let mut ctx = Ctx::default();
                let resume = self.reenter(Entry::Point(p), &mut ctx, Some(quote!(#dv)));
                let yielded = self.leave(&quote!(::core::result::Result::Ok(#y)));
                let ended = self.leave(&quote!(#krate::__private::end_delegating(#state, #frames)));
                let handed = self.leave(&quote!(#krate::__private::handed()));
                let PointKind::Delegate { coro, .. } = &self.body.points[p].kind else {
                    unreachable!()
                };
                let kind = delegation_kind(&coro.expr);
                // Located at the user's expression: a delegate of the wrong types is reported
                // there, where the delegation starts, and rustc drops this second report of it.
                let at = Span::mixed_site().located_at(syn::spanned::Spanned::span(&coro.expr));
                let here = crate::prepare::respanned(krate.to_token_stream(), at);
                // The delegation too: rustc reports at the argument whose type is wrong.
                let d_here = Ident::new(&d.to_string(), d.span().located_at(at));
                let step = quote_spanned! {at=>
                    #here::__private::#kind::resume(
                        #d_here,
                        ::core::option::Option::take(&mut #arg),
                        #mode,
                    )
                };
                quote! {
                    #state_ty::#variant { __h: #d, .. } => match #step {
                        #krate::__private::Delegated::Yield(#y) => #yielded,
                        #krate::__private::Delegated::Returned(#dv) => {
                            #take
                            #resume
                        }
                        #krate::__private::Delegated::Ended => #ended,
                        #krate::__private::Delegated::Handed => #handed,
                    },
                }
            }
            PointKind::Recurse { .. } => {
                let take = Self::take_state(&variant, &Self::moved_fields(facts), None);
                let fret = mixed("__coro_fret");
                let value = quote!(match ::core::option::Option::take(&mut #fret) {
                    ::core::option::Option::Some(v) => v,
                    ::core::option::Option::None => ::core::unreachable!(),
                });
                let mut ctx = Ctx::default();
                let resume = self.reenter(Entry::Point(p), &mut ctx, Some(value));
                quote!(#state_ty::#variant { .. } => { #take #resume })
            }
            PointKind::Suspend { .. } => {
                let arg = self.take_arg();
                if self.shared(p) {
                    // One arm per point, each where its point stands in program order (rustc
                    // infers the types of the slots from the code it reads first), told apart
                    // by `__at`.
                    let home = Self::point_variant(self.an.home[p]);
                    let at = mixed("__coro_at");
                    let i = self.at_index(p);
                    let resume = self.in_place_resume(p, Some(&at));
                    let fields = self.in_place_fields(self.an.home[p]);
                    return quote! {
                        #state_ty::#home { __at: #at, #(#fields),* } if *#at == #i => #resume,
                    };
                }
                if self.an.in_place[p].is_some() {
                    let fields = self.in_place_fields(p);
                    let resume = self.in_place_resume(p, None);
                    quote!(#state_ty::#variant { #(#fields),* } => #resume)
                } else {
                    let take = Self::take_state(&variant, &Self::moved_fields(facts), None);
                    let mut ctx = Ctx::default();
                    let resume = self.reenter(Entry::Point(p), &mut ctx, Some(arg));
                    quote!(#state_ty::#variant { .. } => { #take #resume })
                }
            }
        }
    }

    /// The field patterns of an in-place arm: each local of the variant bound to a reference.
    fn in_place_fields(&self, home: PointId) -> Vec<TokenStream> {
        self.in_place_locals(home)
            .into_iter()
            .map(|l| {
                let (f, r) = (Self::field(l), format_ident!("__r{}", l));
                quote!(#f: #r)
            })
            .collect()
    }

    /// The code of an arm resumed in place at `p` (`at`: the `__at` reference of a shared
    /// variant).
    fn in_place_resume(&self, p: PointId, at: Option<&Ident>) -> TokenStream {
        let home = self.an.home[p];
        let variant = Self::point_variant(home);
        let arg = self.take_arg();
        let ip = self.an.in_place[p].as_ref().expect("an in-place point");
        let refs: HashMap<LocalId, Ident> = ip
            .held
            .iter()
            .map(|&l| (l, format_ident!("__r{}", l)))
            .collect();
        let slotted = self.slotted(p);
        let slots: HashMap<LocalId, Ident> = self
            .in_place_locals(home)
            .into_iter()
            .filter(|l| !ip.held.contains(l))
            .map(|l| (l, format_ident!("__r{}", l)))
            .collect();
        // The locals this point does not hold in place are moved out of their slots, as a
        // moving arm takes them out of the state.
        let takes = slotted.iter().map(|l| {
            let (s, r) = (format_ident!("__s{}", l), &slots[l]);
            quote! {
                let #s = match ::core::option::Option::take(#r) {
                    ::core::option::Option::Some(v) => v,
                    ::core::option::Option::None => ::core::unreachable!(),
                };
            }
        });
        let takes: TokenStream = takes.collect();
        let m_fields: Vec<(Ident, Ident)> = ip
            .held
            .iter()
            .map(|&l| (Self::field(l), format_ident!("__m{}", l)))
            .collect();
        let take = if slots.is_empty() && at.is_none() {
            Self::take_state(&variant, &m_fields, None)
        } else {
            Self::take_state_rest(&variant, &m_fields)
        };
        let assigns = ip.held.iter().map(|&l| {
            let (name, m) = (self.local(l), format_ident!("__m{}", l));
            quote!(#name = #m;)
        });
        let materialize = quote!(#take #(#assigns)*);
        let mut ctx = Ctx {
            in_place: Some(InPlace {
                point: p,
                region: ip.region,
                exits_move: ip.exits_move,
                materialize,
                refs,
                at: at.cloned(),
                slots,
            }),
            ..Ctx::default()
        };
        let resume = self.reenter(Entry::Point(p), &mut ctx, Some(arg));
        quote!({ #takes #resume })
    }

    fn jump_arm(&self, j: usize) -> TokenStream {
        let state_ty = Self::state_ty();
        let variant = Self::jump_variant(j);
        let take = Self::take_state(&variant, &Self::moved_fields(&self.an.jumps[j].facts), None);
        let mut ctx = Ctx::default();
        let resume = self.reenter(Entry::Jump(j), &mut ctx, None);
        quote!(#state_ty::#variant { .. } => { #take #resume })
    }

    // ---- re-entry ----------------------------------------------------------------------------
    // ---- re-entry ----------------------------------------------------------------------------

    /// The code of an arm: the blocks around the entry opened again, then the rest of the body
    /// from the entry. `value` is what the entry point's destination is bound to.
    fn reenter(&self, entry: Entry, ctx: &mut Ctx, value: Option<TokenStream>) -> TokenStream {
        let (block, index) = match entry {
            Entry::Point(p) => (self.body.points[p].block, self.body.points[p].index),
            Entry::Jump(j) => match self.an.jumps[j].kind {
                JumpKind::Before(b, i) => (b, i),
                JumpKind::LoopHead(t) => (self.body.targets[t].block, self.body.targets[t].index),
            },
        };
        let path = self.body.path_to(block);
        self.reenter_block(&path, 0, entry, index, ctx, value.as_ref())
            .0
    }

    /// Re-enters the block at `path[depth]`; also returns whether the re-entered code can
    /// complete (reach the end of the block).
    fn reenter_block(
        &self,
        path: &[(BlockId, Option<usize>)],
        depth: usize,
        entry: Entry,
        index: usize,
        ctx: &mut Ctx,
        value: Option<&TokenStream>,
    ) -> (TokenStream, bool) {
        let (b, down) = path[depth];
        let limit = down.unwrap_or(index);
        if let Some(ip) = &ctx.in_place
            && matches!(ip.region, Region::Block { block, .. } if block == b)
        {
            ctx.region = true;
        }
        self.register_label(b, ctx);
        let in_place = ctx.in_place.clone();
        let outer_mentions = std::mem::take(&mut ctx.mentioned);
        let mut out = TokenStream::new();
        let mut falls = match down {
            None => match entry {
                Entry::Point(p) => {
                    out.extend(self.bind_dest(p, value));
                    let (tokens, falls) = self.emit_stmts(b, index + 1, false, ctx);
                    out.extend(tokens);
                    falls
                }
                Entry::Jump(j) => {
                    if let JumpKind::LoopHead(t) = self.an.jumps[j].kind {
                        ctx.own_head = Some(t);
                    }
                    let (tokens, falls) = self.emit_stmts(b, index, true, ctx);
                    out.extend(tokens);
                    falls
                }
            },
            Some(i) => {
                let (tokens, stmt_completes) =
                    self.reenter_stmt(path, depth, entry, index, ctx, value);
                out.extend(tokens);
                if stmt_completes {
                    let (tokens, falls) = self.emit_stmts(b, i + 1, false, ctx);
                    out.extend(tokens);
                    falls
                } else {
                    false
                }
            }
        };
        if let Some(t) = self.body.blocks[b].label {
            falls |= ctx.broke.remove(&t);
        }
        let shadows = in_place.is_some() && ctx.materialized;
        let held: Vec<LocalId> = in_place
            .as_ref()
            .map(|ip| ip.refs.keys().copied().collect())
            .unwrap_or_default();
        let mut code = self.rebind(b, limit, entry, &held, shadows, &ctx.mentioned);
        code.extend(out);
        ctx.mentioned.extend(outer_mentions);
        (self.wrap_block(b, code), falls)
    }

    /// Re-enters statement `path[depth].1` through its child `path[depth + 1]`; also returns
    /// whether the statement can complete.
    fn reenter_stmt(
        &self,
        path: &[(BlockId, Option<usize>)],
        depth: usize,
        entry: Entry,
        index: usize,
        ctx: &mut Ctx,
        value: Option<&TokenStream>,
    ) -> (TokenStream, bool) {
        let (b, Some(i)) = path[depth] else {
            return (TokenStream::new(), false);
        };
        match self.body.stmt(b, i) {
            Stmt::Loop { target, body } => {
                let n = *target;
                let (o, it) = (
                    label(&format!("'__coro_o{n}")),
                    label(&format!("'__coro_it{n}")),
                );
                let region_here = ctx
                    .in_place
                    .as_ref()
                    .is_some_and(|ip| ip.region == Region::Loop(n));
                let outer_region = ctx.region;
                if region_here {
                    ctx.region = true;
                }
                ctx.targets.insert(
                    n,
                    TargetEmit {
                        brk: quote!(break #o;),
                        cont: quote!(break #it;),
                        inside: ctx.region,
                    },
                );
                let (rest, rest_falls) =
                    self.reenter_block(path, depth + 1, entry, index, ctx, value);
                // The loop runs again only if the interrupted iteration can reach its head.
                let again = if rest_falls || ctx.continued.remove(&n) {
                    // Breaks out of the interrupted iteration (`break 'o`) and out of the loop
                    // after it both end the statement.
                    let broke_in_rest = ctx.broke.remove(&n);
                    let (tokens, falls) = self.emit_loop(n, *body, ctx);
                    if broke_in_rest || falls {
                        ctx.broke.insert(n);
                    }
                    tokens
                } else {
                    TokenStream::new()
                };
                let falls = ctx.broke.remove(&n);
                let mut out = quote!(#o: { #it: #rest #again });
                if region_here {
                    ctx.region = outer_region;
                    if let Some(ip) = &ctx.in_place
                        && falls
                    {
                        out.extend(ip.materialize.clone());
                        ctx.materialized = true;
                    }
                    ctx.in_place = None;
                }
                (out, falls)
            }
            // The `else` of a `let ... else` never completes.
            Stmt::LetElse { .. } => (
                self.reenter_block(path, depth + 1, entry, index, ctx, value)
                    .0,
                false,
            ),
            _ => self.reenter_block(path, depth + 1, entry, index, ctx, value),
        }
    }

    /// Binds again, at the top of block `b`, the locals the entry keeps that `b` declares
    /// before statement `limit`.
    /// `held`: the locals the arm works on in place, in the state; `shadows`: and moves them out
    /// somewhere, into owned locals declared here.
    fn rebind(
        &self,
        b: BlockId,
        limit: usize,
        entry: Entry,
        held: &[LocalId],
        shadows: bool,
        mentioned: &LocalSet,
    ) -> TokenStream {
        let facts = self.facts(entry);
        let mut out = TokenStream::new();
        for l in self.body.declared_before(b, limit) {
            let local = &self.body.locals[l];
            let name = &local.ident;
            let mutability = local.mutable.then(|| quote!(mut));
            if facts.saved.contains(&l) {
                if held.contains(&l) {
                    if shadows {
                        out.extend(quote!(let #mutability #name;));
                    }
                } else {
                    let s = format_ident!("__s{}", l);
                    out.extend(quote!(let #mutability #name = #s;));
                }
            } else if facts.recreate.contains(&l) {
                if let Some(r) = &local.reborrow {
                    let expr = &r.expr;
                    out.extend(quote!(let #name = #expr;));
                }
            } else if facts.redeclare.contains(&l) && mentioned.contains(&l) {
                let ty = local.ty.as_ref().map(|t| quote!(: #t));
                out.extend(quote!(let #mutability #name #ty;));
            }
        }
        out
    }

    fn bind_dest(&self, p: PointId, value: Option<&TokenStream>) -> TokenStream {
        let Some(value) = value else {
            return TokenStream::new();
        };
        if let Some(dest) = &self.body.points[p].dest {
            let pat = &dest.pat;
            let ty = dest.ty.as_ref().map(|t| quote!(: #t));
            quote!(let #pat #ty = #value;)
        } else {
            quote!(::core::mem::drop(#value);)
        }
    }

    /// Makes lowered `break`s to block `b`'s label (if it has one) target it.
    fn register_label(&self, b: BlockId, ctx: &mut Ctx) {
        if let Some(t) = self.body.blocks[b].label {
            let l = &self.body.targets[t].label;
            ctx.targets.insert(
                t,
                TargetEmit {
                    brk: quote!(break #l;),
                    cont: TokenStream::new(),
                    inside: ctx.region,
                },
            );
        }
    }

    fn wrap_block(&self, b: BlockId, inner: TokenStream) -> TokenStream {
        let block = &self.body.blocks[b];
        if let Some(t) = block.label {
            let l = &self.body.targets[t].label;
            return quote!(#l: { #inner });
        }
        if block.unsafety {
            return quote!(unsafe { #inner });
        }
        quote!({ #inner })
    }

    // ---- normal emission ---------------------------------------------------------------------

    /// Statements `from..` of block `b`, stopping after one that cannot complete; also returns
    /// whether the emitted code can reach the block's end. A jump state before a statement is
    /// entered instead of emitting the statement (except at `from` when the arm starts there).
    ///
    /// "Can complete" is decided on the code this arm emits, not on the body: code after a
    /// suspension point is not in this arm, so a `break` there does not make its loop complete
    /// here, and what follows the loop is not emitted (it could name locals this arm does not
    /// have).
    fn emit_stmts(
        &self,
        b: BlockId,
        from: usize,
        starts_here: bool,
        ctx: &mut Ctx,
    ) -> (TokenStream, bool) {
        let stmts = &self.body.blocks[b].stmts;
        // (declared without a value, tokens, locals named)
        let mut parts: Vec<(Vec<LocalId>, TokenStream, LocalSet)> = Vec::new();
        let outer = std::mem::take(&mut ctx.mentioned);
        let mut falls = true;
        for (i, stmt) in stmts.iter().enumerate().skip(from) {
            if let Some(tokens) = Self::leave_block_region(b, i, ctx) {
                parts.push((Vec::new(), tokens, LocalSet::new()));
            }
            if !(starts_here && i == from)
                && let Some(j) = self.an.jump_before(b, i)
            {
                let tokens = self.goto(j, ctx);
                parts.push((Vec::new(), tokens, std::mem::take(&mut ctx.mentioned)));
                falls = false;
                break;
            }
            let (tokens, completes) = self.emit_stmt(b, i, ctx);
            let uninit = match stmt {
                Stmt::Decl(l) => vec![*l],
                Stmt::Opaque(o) if is_uninit_let(&o.stmt) => o.declares.clone(),
                _ => Vec::new(),
            };
            parts.push((uninit, tokens, std::mem::take(&mut ctx.mentioned)));
            if !completes {
                falls = false;
                break;
            }
        }
        if falls && let Some(tokens) = Self::leave_block_region(b, stmts.len(), ctx) {
            parts.push((Vec::new(), tokens, LocalSet::new()));
        }
        // A local declared without a value is kept only if later code here names it.
        let mut later = LocalSet::new();
        let mut kept = Vec::with_capacity(parts.len());
        for (uninit, tokens, mentions) in parts.into_iter().rev() {
            if uninit.is_empty() || uninit.iter().any(|l| later.contains(l)) {
                kept.push(tokens);
            }
            later.extend(mentions);
        }
        ctx.mentioned = outer;
        ctx.mentioned.extend(later);
        (kept.into_iter().rev().collect(), falls)
    }

    /// At the end of a block region (before statement `i` of block `b`): moves the held locals
    /// out of the state, for the code after the region.
    fn leave_block_region(b: BlockId, i: usize, ctx: &mut Ctx) -> Option<TokenStream> {
        let ip = ctx.in_place.as_ref().filter(|_| ctx.region)?;
        if !matches!(ip.region, Region::Block { block, end, .. } if block == b && end == i) {
            return None;
        }
        let tokens = Self::materialize_before(ctx);
        ctx.region = false;
        ctx.in_place = None;
        Some(tokens)
    }

    fn emit_block(&self, b: BlockId, ctx: &mut Ctx) -> (TokenStream, bool) {
        self.register_label(b, ctx);
        let (inner, mut falls) = self.emit_stmts(b, 0, false, ctx);
        if let Some(t) = self.body.blocks[b].label {
            falls |= ctx.broke.remove(&t);
        }
        (self.wrap_block(b, inner), falls)
    }

    fn emit_loop(&self, target: TargetId, body: BlockId, ctx: &mut Ctx) -> (TokenStream, bool) {
        if ctx.own_head != Some(target)
            && let Some(j) = self.an.loop_head(target)
        {
            return (self.goto(j, ctx), false);
        }
        if ctx.own_head == Some(target) {
            ctx.own_head = None;
        }
        let l = &self.body.targets[target].label;
        ctx.targets.insert(
            target,
            TargetEmit {
                brk: quote!(break #l;),
                cont: quote!(continue #l;),
                inside: ctx.region,
            },
        );
        let (inner, _) = self.emit_block(body, ctx);
        // A loop completes only through a `break` this arm emits.
        let falls = ctx.broke.remove(&target);
        (quote!(#l: loop #inner), falls)
    }

    fn emit_stmt(&self, b: BlockId, i: usize, ctx: &mut Ctx) -> (TokenStream, bool) {
        match self.body.stmt(b, i) {
            Stmt::Opaque(o) => {
                Self::mention(ctx, &o.uses);
                (self.subst_stmt(b, i, &o.stmt, ctx), !diverges(&o.stmt))
            }
            Stmt::Decl(l) => {
                ctx.mentioned.insert(*l);
                let local = &self.body.locals[*l];
                let name = &local.ident;
                let mutability = local.mutable.then(|| quote!(mut));
                (quote!(let #mutability #name;), true)
            }
            Stmt::Point(p) => (self.emit_point(*p, ctx), false),
            Stmt::If { cond, then, els } => {
                Self::mention(ctx, &cond.uses);
                let cond = self.subst_expr(b, i, None, &cond.expr, ctx);
                let (then, then_falls) = self.emit_block(*then, ctx);
                let (els, els_falls) = match els {
                    Some(e) => {
                        let (e, f) = self.emit_block(*e, ctx);
                        (quote!(else #e), f)
                    }
                    None => (TokenStream::new(), true),
                };
                (quote!(if #cond #then #els), then_falls || els_falls)
            }
            Stmt::Match { scrutinee, arms } => {
                Self::mention(ctx, &scrutinee.uses);
                for g in arms.iter().filter_map(|a| a.guard.as_ref()) {
                    Self::mention(ctx, &g.uses);
                }
                let scrutinee = self.subst_expr(b, i, None, &scrutinee.expr, ctx);
                let mut falls = false;
                let mut emitted = Vec::new();
                for arm in arms {
                    let (attrs, pat) = (&arm.attrs, &arm.pat);
                    let guard = arm.guard.as_ref().map(|g| {
                        let g = self.subst_expr(b, i, Some(arm.body), &g.expr, ctx);
                        quote!(if #g)
                    });
                    let (body, f) = self.emit_block(arm.body, ctx);
                    falls |= f;
                    emitted.push(quote!(#(#attrs)* #pat #guard => #body));
                }
                (quote!(match #scrutinee { #(#emitted)* }), falls)
            }
            Stmt::Loop { target, body } => self.emit_loop(*target, *body, ctx),
            Stmt::Block(inner) => self.emit_block(*inner, ctx),
            Stmt::LetElse {
                pat, ty, init, els, ..
            } => {
                Self::mention(ctx, &init.uses);
                let init = self.subst_expr(b, i, None, &init.expr, ctx);
                let ty = ty.as_ref().map(|t| quote!(: #t));
                let (els, _) = self.emit_block(*els, ctx);
                (quote!(let #pat #ty = #init else #els;), true)
            }
            Stmt::Break(t) => (self.jump_to(*t, true, ctx), false),
            Stmt::Continue(t) => (self.jump_to(*t, false, ctx), false),
        }
    }

    fn jump_to(&self, t: TargetId, is_break: bool, ctx: &mut Ctx) -> TokenStream {
        if is_break {
            ctx.broke.insert(t);
        } else {
            ctx.continued.insert(t);
        }
        let Some(emit) = ctx.targets.get(&t) else {
            let l = &self.body.targets[t].label;
            return if is_break {
                quote!(break #l;)
            } else {
                quote!(continue #l;)
            };
        };
        let jump = if is_break {
            emit.brk.clone()
        } else {
            emit.cont.clone()
        };
        if ctx.region && !emit.inside {
            let m = Self::materialize_before(ctx);
            return quote!({ #m #jump });
        }
        jump
    }

    /// `*state = Variant { fields }` for the locals `facts` keeps.
    fn save(&self, variant: &Ident, facts: &Facts, handle: Option<&Ident>) -> TokenStream {
        let (state, state_ty) = (Self::state(), Self::state_ty());
        let fields = self.state_value(variant, facts, handle);
        let _ = state_ty;
        quote!(*#state = #fields;)
    }

    fn state_value(&self, variant: &Ident, facts: &Facts, handle: Option<&Ident>) -> TokenStream {
        let state_ty = Self::state_ty();
        let handle = handle.map(|h| quote!(__h: #h,));
        let fields = facts.saved.iter().rev().map(|&l| {
            let (f, name) = (Self::field(l), self.local(l));
            quote!(#f: #name)
        });
        quote!(#state_ty::#variant { #handle #(#fields),* })
    }

    fn materialize_before(ctx: &mut Ctx) -> TokenStream {
        match (&ctx.in_place, ctx.region) {
            (Some(ip), true) => {
                let tokens = ip.materialize.clone();
                ctx.materialized = true;
                tokens
            }
            _ => TokenStream::new(),
        }
    }

    fn mention(ctx: &mut Ctx, uses: &Uses) {
        ctx.mentioned.extend(&uses.mentions);
    }

    fn emit_point(&self, p: PointId, ctx: &mut Ctx) -> TokenStream {
        let point = &self.body.points[p];
        match &point.kind {
            PointKind::Suspend { value } => Self::mention(ctx, &value.uses),
            PointKind::Delegate { coro, first, .. } => {
                Self::mention(ctx, &coro.uses);
                if let Some(f) = first {
                    Self::mention(ctx, &f.uses);
                }
            }
            PointKind::Recurse { args, first } => {
                args.iter()
                    .chain(first)
                    .for_each(|a| Self::mention(ctx, &a.uses));
            }
        }
        let facts = &self.an.points[p];
        let variant = Self::point_variant(p);
        let (block, index) = (point.block, point.index);
        let krate = self.krate;
        let redispatch = self.redispatch();
        match &point.kind {
            PointKind::Suspend { value } => {
                let y = mixed("__coro_y");
                let yield_ty = self.yield_ty;
                let value = self.subst_expr(block, index, None, &value.expr, ctx);
                let ok = quote_spanned!(point.span=> ::core::result::Result::Ok(#y));
                let leave = self.leave(&ok);
                if let Some(ip) = ctx.in_place.as_ref().filter(|_| ctx.region)
                    && self.an.home[ip.point] == self.an.home[p]
                {
                    // The held locals are where this point keeps them already; the others go
                    // back into their slots.
                    let fill = self.slotted(p).into_iter().map(|l| {
                        let (r, name) = (&ip.slots[&l], self.local(l));
                        quote!(*#r = ::core::option::Option::Some(#name);)
                    });
                    let set_at = ip.at.as_ref().map(|at| {
                        let i = self.at_index(p);
                        quote!(*#at = #i;)
                    });
                    return quote!({ let #y: #yield_ty = #value; #(#fill)* #set_at #leave; });
                }
                let materialize = Self::materialize_before(ctx);
                let save = if self.an.in_place[p].is_some() {
                    self.save_in_place(p)
                } else {
                    self.save(&variant, facts, None)
                };
                quote!({ let #y: #yield_ty = #value; #materialize #save #leave; })
            }
            PointKind::Delegate { coro, first, .. } => {
                let (d, f) = (mixed("__coro_d"), mixed("__coro_f"));
                let coro_tokens = self.subst_expr(block, index, None, &coro.expr, ctx);
                // Typed where it is written, so that a first value of another type than the
                // resume type is reported there.
                let first_ty = first.as_ref().map_or_else(
                    || self.resume_ty.to_token_stream(),
                    |x| {
                        let span = syn::spanned::Spanned::span(&x.expr);
                        crate::prepare::respanned(self.resume_ty.to_token_stream(), span)
                    },
                );
                let first = first.as_ref().map_or_else(
                    || quote!(()),
                    |x| self.subst_expr(block, index, None, &x.expr, ctx),
                );
                let materialize = Self::materialize_before(ctx);
                let save = self.save(&variant, facts, Some(&d));
                let set = Self::set_arg(&quote!(#f));
                // Spanned at the user's expression, so that a value that is not a coroutine of
                // this resume type is reported there, once.
                let span = syn::spanned::Spanned::span(&coro.expr);
                let r = crate::prepare::respanned(self.resume_ty.to_token_stream(), span);
                let start = match delegation_kind(&coro.expr) {
                    DelegationKind::Boxed => quote!(delegation_boxed),
                    DelegationKind::Plain => quote!(delegation),
                };
                // The yield type too: a delegate that yields another one is reported here, and
                // the rest of the body sees the coroutine's.
                let yield_ty = crate::prepare::respanned(self.yield_ty.to_token_stream(), span);
                // A `clone` coroutine clones its delegate: one that is not `Clone` is reported
                // at the user's expression.
                let coro_tokens = if self.clone {
                    let here = crate::prepare::respanned(krate.to_token_stream(), span);
                    quote_spanned!(span=> #here::__private::cloneable::<#r, _>(#coro_tokens))
                } else {
                    coro_tokens
                };
                // Bound first and passed through a name located at the user's expression: rustc
                // reports a wrong delegate at that argument, and the resume below at the same
                // place, so that it reports a wrong yield type once.
                let delegate = mixed("__coro_c");
                let delegate_here = Ident::new("__coro_c", delegate.span().located_at(span));
                let delegation = quote_spanned!(span=>
                    #krate::__private::#start::<#r, #yield_ty, _>(#delegate_here)
                );
                quote!({
                    let #delegate = #coro_tokens;
                    let mut #d = #delegation;
                    let #f: #first_ty = #first;
                    #materialize
                    #save
                    #set
                    #redispatch;
                })
            }
            PointKind::Recurse { args, first } => {
                let state = Self::state();
                let frames = Self::frames();
                let state_ty = Self::state_ty();
                let mut lets = Vec::new();
                let mut fields = Vec::new();
                for (n, (param, a)) in self.start_params().into_iter().zip(args).enumerate() {
                    let tmp = format_ident!("__coro_a{}", n);
                    let a = self.subst_expr(block, index, None, &a.expr, ctx);
                    lets.push(quote!(let #tmp = #a;));
                    let field = format_ident!("__p{}", param);
                    fields.push(quote!(#field: #tmp));
                }
                fields.reverse();
                let f = mixed("__coro_f");
                let first = first.as_ref().map_or_else(
                    || quote!(()),
                    |x| self.subst_expr(block, index, None, &x.expr, ctx),
                );
                let materialize = Self::materialize_before(ctx);
                let caller = self.state_value(&variant, facts, None);
                let set = Self::set_arg(&quote!(#f));
                quote!({
                    #(#lets)*
                    let #f = #first;
                    #materialize
                    #krate::__private::Frames::push(#frames, #caller);
                    *#state = #state_ty::Start { #(#fields),* };
                    #set
                    #redispatch;
                })
            }
        }
    }

    fn goto(&self, j: usize, ctx: &mut Ctx) -> TokenStream {
        let variant = Self::jump_variant(j);
        let materialize = Self::materialize_before(ctx);
        let save = self.save(&variant, &self.an.jumps[j].facts, None);
        let redispatch = self.redispatch();
        quote!({ #materialize #save #redispatch; })
    }

    // ---- in-place substitution ---------------------------------------------------------------

    /// Names in scope before statement `i` of block `b` (plus `extra`'s entry bindings).
    fn names_at(&self, b: BlockId, i: usize, extra: Option<BlockId>) -> Vec<(String, LocalId)> {
        let mut scope = self.body.in_scope(b, i);
        if let Some(e) = extra {
            scope.extend(&self.body.blocks[e].entry);
        }
        scope
            .into_iter()
            .map(|l| (self.body.locals[l].ident.to_string(), l))
            .collect()
    }

    fn substitute<T>(
        &self,
        b: BlockId,
        i: usize,
        extra: Option<BlockId>,
        node: &mut T,
        ctx: &mut Ctx,
        visit: impl FnOnce(&mut Substitute<'_>, &mut T),
    ) {
        let Some(ip) = ctx.in_place.as_ref().filter(|_| ctx.region) else {
            return;
        };
        let names = self.names_at(b, i, extra);
        let lookup = |n: &str| {
            names
                .iter()
                .rev()
                .find(|(name, _)| name == n)
                .map(|(_, l)| *l)
        };
        let replace = |l: LocalId| ip.refs.get(&l).map(|r| syn::parse_quote!((*#r)));
        // An exit moves the held locals out of the state first, so that they are dropped with
        // the others in Rust's order, and its value reads them where they are then.
        let materialize = &ip.materialize;
        let exit = |value: syn::Expr| -> syn::Expr {
            // As a block's tail after the statements, a value that starts with a block-like
            // expression (`match x { .. } & y`) would end at its first `}`, as a statement.
            if starts_with_block(&value) {
                syn::parse_quote!({ #materialize (#value) })
            } else {
                syn::parse_quote!({ #materialize #value })
            }
        };
        let mut s = Substitute::new(&lookup, &replace);
        if ip.exits_move {
            s = s.with_exit(&exit);
        }
        visit(&mut s, node);
        if s.rewrote_exit {
            ctx.materialized = true;
        }
    }

    fn subst_stmt(&self, b: BlockId, i: usize, stmt: &syn::Stmt, ctx: &mut Ctx) -> TokenStream {
        let mut stmt = stmt.clone();
        self.substitute(b, i, None, &mut stmt, ctx, |s, n| s.visit_stmt_mut(n));
        stmt.into_token_stream()
    }

    fn subst_expr(
        &self,
        b: BlockId,
        i: usize,
        extra: Option<BlockId>,
        expr: &syn::Expr,
        ctx: &mut Ctx,
    ) -> TokenStream {
        let mut expr = expr.clone();
        self.substitute(b, i, extra, &mut expr, ctx, |s, n| s.visit_expr_mut(n));
        expr.into_token_stream()
    }
}

/// `let x;` (no initializer).
fn is_uninit_let(stmt: &syn::Stmt) -> bool {
    matches!(stmt, syn::Stmt::Local(l) if l.init.is_none())
}

#[cfg(test)]
mod tests {
    use super::{DelegationKind, delegation_kind, starts_with_block};

    fn kind(src: &str) -> &'static str {
        match delegation_kind(&syn::parse_str(src).unwrap()) {
            DelegationKind::Boxed => "boxed",
            DelegationKind::Plain => "plain",
        }
    }

    #[test]
    fn a_delegate_is_boxed_when_it_ends_in_boxed_or_the_lowering_boxed_it() {
        assert_eq!(kind("odd(n - 1).boxed()"), "boxed");
        assert_eq!(kind("self.kids[i].walk().boxed()"), "boxed");
        assert_eq!(
            kind("::coro::__private::boxed_delegate(Tree::walk(t))"),
            "boxed"
        );
        assert_eq!(kind("odd(n - 1)"), "plain");
        assert_eq!(kind("odd(n - 1).boxed(1)"), "plain");
        assert_eq!(kind("odd(n - 1).boxed::<u8>()"), "plain");
        assert_eq!(kind("Box::new(odd(n - 1))"), "plain");
        assert_eq!(kind("&mut c"), "plain");
    }

    #[test]
    fn a_value_that_starts_with_a_block_like_expression_needs_parentheses_after_a_statement() {
        // The transform builds such values without the parentheses the user wrote: a
        // parenthesized operand, as parsed, is safe.
        let unparen = |e: syn::Expr| match e {
            syn::Expr::Paren(p) => *p.expr,
            e => e,
        };
        let binary = |left: &str, op: &str, right: &str| {
            syn::Expr::Binary(syn::ExprBinary {
                attrs: Vec::new(),
                left: Box::new(unparen(syn::parse_str(left).unwrap())),
                op: syn::parse_str(op).unwrap(),
                right: Box::new(syn::parse_str(right).unwrap()),
            })
        };
        assert!(starts_with_block(&binary("match x { _ => 1 }", "&", "y")));
        assert!(starts_with_block(&binary("{ x }", "+", "1")));
        let method = |receiver: &str| {
            let mut call: syn::ExprMethodCall = syn::parse_str("r.max(3)").unwrap();
            call.receiver = Box::new(unparen(syn::parse_str(receiver).unwrap()));
            syn::Expr::MethodCall(call)
        };
        assert!(starts_with_block(&method("if c { 1 } else { 2 }")));
        let nested = syn::Expr::Binary(syn::ExprBinary {
            attrs: Vec::new(),
            left: Box::new(binary("loop { break 1 }", "*", "2")),
            op: syn::parse_str("+").unwrap(),
            right: Box::new(syn::parse_str("3").unwrap()),
        });
        assert!(starts_with_block(&nested));
        let parsed = |src: &str| starts_with_block(&syn::parse_str(src).unwrap());
        assert!(!parsed("match x { _ => 1 }"));
        assert!(!parsed("(match x { _ => 1 }) & y"));
        assert!(!parsed("a & (match x { _ => 1 })"));
        assert!(!parsed("buf[1]"));
        assert!(!parsed("f(match x { _ => 1 })"));
    }
}
