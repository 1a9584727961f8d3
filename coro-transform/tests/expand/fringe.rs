#[coroutine(yield = i32)]
fn fringe(list: &[Tree]) {
    for x in list {
        match x {
            Tree::Leaf(v) => suspend!(*v),
            Tree::Node(sub) => suspend_from!(fringe(sub)),
        }
    }
}
