//! Conway's squasher as five symmetric coroutines (Tim Peters' `squasher.py`, after Dahl and
//! Hoare's Simula 67 version): getline, disassembler, squasher, assembler and putline hand
//! lines and characters to each other with `tran`, without a loop that drives them.
//!
//! Input lines end with a 0 byte. Output lines are exactly 72 characters; a `;` follows each
//! input line; runs of blanks and tabs become one blank; `**` becomes `^`.
//!
//! `cargo run --example squasher` squashes the classic text; `cargo run --example squasher --
//! FILE` (or piped input) squashes that instead.
use coro::suspend;
use coro::symmetric::{Control, Member, Request, Set, TransferError, kill, tran};
use std::cell::RefCell;
use std::io::{IsTerminal, Read};

/// The line length of the output.
pub(crate) const WIDTH: usize = 72;

/// The classic input.
pub(crate) const CLASSIC: &str = "   d    =   sqrt(b**2  -  4*a*c)\n\
                                  twoa    =   2*a\n   L    =   -b/twoa\n   R    =   d/twoa\n  \
                                  A1    =   L + R\n  A2    =   L - R\0\n";

/// What the members hand each other.
#[derive(Debug)]
pub(crate) enum Msg {
    /// "Your turn", with nothing to say.
    Go,
    /// An input or output line.
    Line(String),
    /// One character.
    Char(char),
}

/// The names of the members, in creation order, for messages.
const NAMES: [&str; 5] = [
    "getline",
    "disassembler",
    "squasher",
    "assembler",
    "putline",
];

/// Hands each input line (split at `\n`) to the disassembler; falls through at the end of the
/// input.
#[coro::coroutine(yield = Request<Msg>, resume = Msg)]
fn getline(text: &str, disassembler: Member, #[resume] _go: Msg) {
    for line in text.split('\n') {
        suspend!(tran(disassembler, Msg::Line(line.to_owned())));
    }
}

/// Asks for a line, hands its characters to the squasher one at a time, then a `;`.
#[coro::coroutine(yield = Request<Msg>, resume = Msg)]
fn disassembler(getline: Member, squasher: Member, #[resume] _go: Msg) {
    loop {
        let Msg::Line(card) = suspend!(tran(getline, Msg::Go)) else {
            unreachable!("getline sends lines");
        };
        // Owned characters: an iterator borrowing `card` could not be kept across `tran`.
        for ch in card.chars().collect::<Vec<char>>() {
            suspend!(tran(squasher, Msg::Char(ch)));
        }
        suspend!(tran(squasher, Msg::Char(';')));
    }
}

/// The next character from the disassembler.
fn char_of(msg: Msg) -> char {
    match msg {
        Msg::Char(c) => c,
        other => unreachable!("the disassembler sends characters, not {other:?}"),
    }
}

/// Turns `**` into `^` and runs of blanks and tabs into one blank.
#[coro::coroutine(yield = Request<Msg>, resume = Msg)]
fn squasher(disassembler: Member, assembler: Member, #[resume] _go: Msg) {
    loop {
        let mut ch = char_of(suspend!(tran(disassembler, Msg::Go)));
        if ch == '*' {
            let next = char_of(suspend!(tran(disassembler, Msg::Go)));
            if next == '*' {
                ch = '^';
            } else {
                suspend!(tran(assembler, Msg::Char(ch)));
                ch = next;
            }
        }
        if ch == ' ' || ch == '\t' {
            let mut next = char_of(suspend!(tran(disassembler, Msg::Go)));
            while next == ' ' || next == '\t' {
                next = char_of(suspend!(tran(disassembler, Msg::Go)));
            }
            suspend!(tran(assembler, Msg::Char(' ')));
            ch = next;
        }
        suspend!(tran(assembler, Msg::Char(ch)));
    }
}

/// Builds lines of exactly 72 characters: a line goes out when a 73rd character arrives; at the
/// 0 byte the line is padded, sent, and the set killed.
#[coro::coroutine(yield = Request<Msg>, resume = Msg)]
fn assembler(squasher: Member, putline: Member, #[resume] _go: Msg) {
    let mut line = String::with_capacity(WIDTH);
    loop {
        let ch = char_of(suspend!(tran(squasher, Msg::Go)));
        if ch == '\0' {
            break;
        }
        if line.len() == WIDTH {
            suspend!(tran(putline, Msg::Line(std::mem::take(&mut line))));
        }
        line.push(ch);
    }
    let padded = format!("{line:<WIDTH$}");
    suspend!(tran(putline, Msg::Line(padded)));
    suspend!(kill());
}

/// Writes each line it is handed.
#[coro::coroutine(yield = Request<Msg>, resume = Msg)]
fn putline(assembler: Member, out: &RefCell<Vec<String>>, #[resume] _go: Msg) {
    loop {
        let Msg::Line(line) = suspend!(tran(assembler, Msg::Go)) else {
            unreachable!("the assembler sends lines");
        };
        out.borrow_mut().push(line);
    }
}

/// Squashes `text`: the output lines, or why the pipeline stopped early (with the lines it had
/// written by then).
pub(crate) fn squash(text: &str) -> Result<Vec<String>, (String, Vec<String>)> {
    let out = RefCell::new(Vec::new());
    let result = {
        let mut set = Set::new();
        let [get, dis, squ, asm, put] = [(); 5].map(|()| set.reserve());
        set.fill(get, getline(text, dis))
            .and_then(|()| set.fill(dis, disassembler(get, squ)))
            .and_then(|()| set.fill(squ, squasher(dis, asm)))
            .and_then(|()| set.fill(asm, assembler(squ, put)))
            .and_then(|()| set.fill(put, putline(asm, &out)))
            .expect("every member belongs to this set");
        set.tran(put, Msg::Go)
    };
    let lines = out.into_inner();
    match result {
        Ok(Control::Killed(_)) => Ok(lines),
        Ok(Control::Data(_)) => Err(("the pipeline detached unexpectedly".to_owned(), lines)),
        Err(TransferError::EarlyExit(m)) => Err((
            format!(
                "the input has no 0 byte: {} fell through its end",
                NAMES[m.index()]
            ),
            lines,
        )),
        Err(e) => Err((e.to_string(), lines)),
    }
}

fn main() {
    let text = if let Some(path) = std::env::args().nth(1) {
        std::fs::read_to_string(&path).unwrap_or_else(|e| {
            eprintln!("squasher: cannot read {path}: {e}");
            std::process::exit(2);
        })
    } else if !std::io::stdin().is_terminal() {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("squasher: cannot read standard input: {e}");
            std::process::exit(2);
        }
        s
    } else {
        CLASSIC.to_owned()
    };
    match squash(&text) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            println!("done");
        }
        Err((why, lines)) => {
            for line in lines {
                println!("{line}");
            }
            eprintln!("squasher: {why}");
            std::process::exit(1);
        }
    }
}
