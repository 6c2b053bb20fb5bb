//! A one-line progress bar on stderr while many files are verified. Quiet
//! when stderr is not a terminal (a pipe, a log file, the tests), so no
//! control characters end up where people read text.

use std::io::{IsTerminal, Write};

pub struct Progress {
    total: usize,
    label: String,
    on: bool,
    drawn: bool,
}

impl Progress {
    /// A bar of `total` steps, shown only on a terminal and for more than
    /// one step.
    pub fn new(total: usize, label: &str) -> Progress {
        Progress {
            total,
            label: label.to_string(),
            on: total > 1 && std::io::stderr().is_terminal(),
            drawn: false,
        }
    }

    /// The bar's text after `done` steps, the last one on `item`.
    pub fn line(&self, done: usize, item: &str) -> String {
        const WIDTH: usize = 24;
        let total = self.total.max(1);
        let full = (done.min(total) * WIDTH) / total;
        let item: String = crate::domain::text::inert_line(item)
            .chars()
            .rev()
            .take(32)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!(
            "{} [{}{}] {done}/{total} {item}",
            self.label,
            "#".repeat(full),
            ".".repeat(WIDTH - full)
        )
    }

    pub fn step(&mut self, done: usize, item: &str) {
        if !self.on {
            return;
        }
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r\x1b[2K{}", self.line(done, item));
        let _ = e.flush();
        self.drawn = true;
    }

    /// Clears the bar.
    pub fn finish(&mut self) {
        if self.drawn {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[2K");
            let _ = e.flush();
            self.drawn = false;
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_in_proportion() {
        let p = Progress::new(4, "verifying");
        assert_eq!(
            p.line(1, "E01.json"),
            "verifying [######..................] 1/4 E01.json"
        );
        assert_eq!(p.line(4, "x").matches('#').count(), 24);
    }
}
