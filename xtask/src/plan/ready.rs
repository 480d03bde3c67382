//! Steps in dependency order: how many of each step's dependencies are unfinished, and the
//! steps with none left, the lowest index first (Kahn's algorithm with the file order as
//! tie-break). The plan sorts its steps with it; the scheduler starts them from it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

pub struct ReadyQueue {
    /// Per step, how many of its dependencies have not finished.
    waiting: Vec<usize>,
    /// Per step, the steps that need it.
    dependents: Vec<Vec<usize>>,
    /// Steps with no dependency left to wait for, not yet taken.
    ready: BinaryHeap<Reverse<usize>>,
}

impl ReadyQueue {
    /// `deps[i]` are the steps step `i` needs (indices into `deps`).
    pub fn new<D: IntoIterator<Item = usize>>(deps: impl IntoIterator<Item = D>) -> ReadyQueue {
        let mut waiting = Vec::new();
        let mut needs: Vec<(usize, usize)> = Vec::new();
        for (i, ds) in deps.into_iter().enumerate() {
            let before = needs.len();
            needs.extend(ds.into_iter().map(|d| (d, i)));
            waiting.push(needs.len() - before);
        }
        let mut dependents = vec![Vec::new(); waiting.len()];
        for (d, i) in needs {
            dependents[d].push(i);
        }
        let ready = (0..waiting.len())
            .filter(|&i| waiting[i] == 0)
            .map(Reverse)
            .collect();
        ReadyQueue {
            waiting,
            dependents,
            ready,
        }
    }

    /// The lowest-numbered step whose dependencies have all finished, taken off the queue.
    pub fn pop(&mut self) -> Option<usize> {
        self.ready.pop().map(|Reverse(i)| i)
    }

    /// Step `i` has finished: the steps that waited only for it become ready.
    pub fn finished(&mut self, i: usize) {
        for &d in &self.dependents[i] {
            self.waiting[d] -= 1;
            if self.waiting[d] == 0 {
                self.ready.push(Reverse(d));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_come_after_their_needs_and_otherwise_in_order() {
        // 0 needs 2; 3 needs 0 and 1; 1, 2 and 4 need nothing.
        let deps: [&[usize]; 5] = [&[2], &[], &[], &[0, 1], &[]];
        let mut queue = ReadyQueue::new(deps.iter().map(|d| d.iter().copied()));
        let mut order = Vec::new();
        while let Some(i) = queue.pop() {
            order.push(i);
            queue.finished(i);
        }
        assert_eq!(order, [1, 2, 0, 3, 4]);
    }
}
