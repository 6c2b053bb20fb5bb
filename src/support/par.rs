//! Work over many files on every core (at most 8 threads), results in
//! the order of the inputs: workers take the next item as they finish one,
//! since files differ in size.

/// `f` over `items` on every core; `tick` hears, on the calling thread,
/// how many are done (for a progress bar).
pub fn map_indexed<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(usize, &T) -> R + Sync,
    tick: &mut dyn FnMut(usize),
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if items.len() < 2 || threads < 2 {
        return items
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let r = f(i, x);
                tick(i + 1);
                r
            })
            .collect();
    }
    // Workers take the next file as they finish one: the files differ in size.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let slots: Vec<std::sync::Mutex<&mut Option<R>>> =
        out.iter_mut().map(std::sync::Mutex::new).collect();
    // Each finished item is told on a channel: the calling thread wakes
    // for it at once, and is done the moment the last worker is (no
    // polling, so no wait after the work).
    let (told, hear) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|sc| {
        for _ in 0..threads.min(items.len()) {
            let told = told.clone();
            let (next, slots, f) = (&next, &slots, &f);
            sc.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= items.len() {
                        break;
                    }
                    let r = f(i, &items[i]);
                    if let Ok(mut slot) = slots[i].lock() {
                        **slot = Some(r);
                    }
                    if told.send(()).is_err() {
                        break;
                    }
                }
            });
        }
        drop(told);
        let mut done = 0;
        // Ends when every worker has ended (each holds a sender).
        while hear.recv().is_ok() {
            done += 1;
            tick(done);
        }
    });
    drop(slots);
    out.into_iter()
        .map(|r| r.expect("every item was mapped"))
        .collect()
}

/// `f` over `items` on every core, results in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_indexed(items, |_, x| f(x), &mut |_| {})
}

/// `f` over runs of `items` on every core (at most 4 threads, one run
/// each), the runs' results joined in order; on this thread alone below
/// `min` items. For fine-grained work on a hot path (a keystroke, the first
/// frame): no polling, one spawn per run.
pub fn map_runs<T: Sync, R: Send>(
    items: &[T],
    min: usize,
    f: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if items.len() < min.max(2) || threads < 2 {
        return f(items);
    }
    let run = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|sc| {
        let parts: Vec<_> = items.chunks(run).map(|c| sc.spawn(move || f(c))).collect();
        let mut out = Vec::with_capacity(items.len());
        for (p, c) in parts.into_iter().zip(items.chunks(run)) {
            // A run that panicked is done again here.
            out.extend(p.join().unwrap_or_else(|_| f(c)));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_keep_the_order_of_the_inputs() {
        let items: Vec<u64> = (0..50_000).collect();
        let sq = |c: &[u64]| c.iter().map(|x| x * x).collect::<Vec<_>>();
        assert_eq!(super::map_runs(&items, 1_000, sq), sq(&items));
        assert_eq!(super::map_runs(&items[..10], 1_000, sq), sq(&items[..10]));
        let even = |c: &[u64]| c.iter().copied().filter(|x| x % 2 == 0).collect::<Vec<_>>();
        assert_eq!(super::map_runs(&items, 1_000, even), even(&items));
    }

    #[test]
    fn results_keep_the_order_of_the_inputs() {
        let items: Vec<u64> = (0..200).collect();
        let out = super::map(&items, |&x| x * x);
        assert_eq!(out, items.iter().map(|x| x * x).collect::<Vec<_>>());
        let mut ticks = Vec::new();
        let out = super::map_indexed(&items[..3], |i, &x| (i as u64) + x, &mut |n| ticks.push(n));
        assert_eq!(out, vec![0, 2, 4]);
        assert_eq!(ticks.last(), Some(&3));
        assert!(super::map(&Vec::<u8>::new(), |&x| x).is_empty());
    }
}
