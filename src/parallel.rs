//! Splitting independent work across the machine's cores with scoped threads.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item, in order, computed on up to `available_parallelism` threads.
/// Small inputs stay on the calling thread: a thread costs more than a few items. Threads
/// take the next `min_per_thread` items as they finish their last, so items of very
/// different cost (a group of minutely batches, a quiet group) still share the cores evenly.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    min_per_thread: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let block = min_per_thread.max(1);
    if threads <= 1 || items.len() < 2 * block {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let from = next.fetch_add(block, Ordering::Relaxed);
            if from >= items.len() {
                return done;
            }
            let part = &items[from..(from + block).min(items.len())];
            done.push((from, part.iter().map(&f).collect()));
        }
    };
    let mut blocks: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.min(items.len().div_ceil(block)))
            .map(|_| scope.spawn(work))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    blocks.sort_unstable_by_key(|&(from, _)| from);
    blocks.into_iter().flat_map(|(_, part)| part).collect()
}

/// `a` and `b` at the same time, on two threads when the machine has more than one core.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 1 {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(b);
        let first = a();
        let second = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..1000).collect();
        // Uneven costs, so threads finish their blocks out of order.
        let out = map(&items, 3, |&i| {
            if i % 7 == 0 {
                (0..10_000u64).fold(i, |a, x| a.wrapping_add(x % 3))
            } else {
                i
            }
        });
        let want: Vec<u64> = items
            .iter()
            .map(|&i| {
                if i % 7 == 0 {
                    (0..10_000u64).fold(i, |a, x| a.wrapping_add(x % 3))
                } else {
                    i
                }
            })
            .collect();
        assert_eq!(out, want);
        assert_eq!(join(|| 1, || "two"), (1, "two"));
    }
}
