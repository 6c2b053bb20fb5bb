//! The one way command output reaches stdout: a line at a time, ending the
//! program quietly (exit 0) when the reader has gone away
//! (`panelist … | head`) instead of panicking on a broken pipe.

use std::fmt::Display;
use std::io::{ErrorKind, Write};

/// Writes `s` and a newline to stdout.
pub fn line(s: impl Display) {
    write(format_args!("{s}\n"));
}

/// Writes `s` to stdout as it is (no newline added).
pub fn text(s: impl Display) {
    write(format_args!("{s}"));
}

/// Writes raw bytes (a generated completion script, say) to stdout.
pub fn bytes(b: &[u8]) {
    let mut out = std::io::stdout().lock();
    let r = out.write_all(b).and_then(|()| out.flush());
    settle(r);
}

fn write(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    settle(out.write_fmt(args));
}

/// A reader that went away ends the program with exit 0; other write
/// errors are left to the end of the command, as a full disk would be.
fn settle(r: std::io::Result<()>) {
    if let Err(e) = r
        && e.kind() == ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}
