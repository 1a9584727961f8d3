//! The floor: hand-written iterators, explicit stacks and state machines.
use crate::tree::Tree;
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::hint::black_box;

pub fn counter(n: u64) -> u64 {
    (0..n)
        .filter(|i| i % 3 != 0)
        .map(|i| i * 2)
        .fold(0u64, u64::wrapping_add)
}

/// An explicit-stack walk over the children of each node.
pub struct Walk<'a> {
    stack: Vec<std::slice::Iter<'a, Tree>>,
}

impl<'a> Walk<'a> {
    pub fn new(t: &'a Tree) -> Self {
        Walk {
            stack: vec![std::slice::from_ref(t).iter()],
        }
    }
}

impl Iterator for Walk<'_> {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        loop {
            match self.stack.last_mut()?.next() {
                Some(Tree::Leaf(v)) => return Some(*v),
                Some(Tree::Node(children)) => self.stack.push(children.iter()),
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

pub fn fringe_sum(t: &Tree) -> u64 {
    Walk::new(t).fold(0u64, u64::wrapping_add)
}

pub fn same_fringe(a: &Tree, b: &Tree) -> Ordering {
    Walk::new(a).cmp(Walk::new(b))
}

/// A state machine resumed with `v`, answering `v + 1`.
struct Pong {
    seen: u64,
}

impl Pong {
    fn resume(&mut self, v: u64) -> u64 {
        self.seen = v;
        v + 1
    }
}

pub fn ping_pong(rounds: u64) -> u64 {
    let mut p = Pong { seen: 0 };
    let mut v = 0;
    for _ in 0..rounds {
        v = black_box(&mut p).resume(black_box(v));
    }
    v
}

/// Ping-pong with the state machine a plain local of the loop: only the value goes through
/// `black_box`, as in a user's program, where nothing hides the machine's address.
pub fn ping_pong_local(rounds: u64) -> u64 {
    let mut p = Pong { seen: 0 };
    let mut v = 0;
    for _ in 0..rounds {
        v = p.resume(black_box(v));
    }
    v
}

/// A one-value generator.
struct Once(Option<u64>);

impl Iterator for Once {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        self.0.take()
    }
}

pub fn creation(n: u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        for v in black_box(Once(Some(i))) {
            s = s.wrapping_add(v);
        }
    }
    s
}

/// The large-state loop as a struct with a `step` method.
struct Large {
    buf: [u64; 32],
    i: u64,
}

impl Large {
    fn step(&mut self) -> u64 {
        let k = (self.i % 32) as usize;
        self.buf[k] = self.buf[k].wrapping_add(self.i);
        self.i += 1;
        self.buf[k]
    }
}

pub fn large_state(n: u64) -> u64 {
    let mut l = Large { buf: [0; 32], i: 0 };
    (0..n).fold(0u64, |s, _| s.wrapping_add(l.step()))
}

/// A hand-written task queue: each task is its count of remaining yields.
pub fn microthreads(k: u64, m: u64) -> u64 {
    let mut queue: VecDeque<u64> = (0..k).map(|_| m).collect();
    let mut switches = 0u64;
    while let Some(left) = queue.pop_front() {
        switches += 1;
        if left > 1 {
            queue.push_back(black_box(left - 1));
        }
    }
    switches
}
