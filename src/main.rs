//! The `panelist` binary: parse, run, map failure to exit code 2 with one
//! clear line.

use std::process::ExitCode;

/// mimalloc rather than the system allocator: verifying hundreds of large
/// signed files interleaves big short-lived buffers with small long-lived
/// results, which the system allocator spends most of a merge consolidating.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match panelist::cli::run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let prefix = panelist::cli::error_prefix();
            // Every problem of an input file on its own line; any other
            // error is one line.
            let lines: Vec<String> = match e.downcast_ref::<panelist::import::FileErrors>() {
                Some(many) => many.0.clone(),
                None => vec![panelist::cli::error_text(&e)],
            };
            for l in lines {
                let msg = l.replace(['\n', '\r'], " ");
                eprintln!("{prefix}{}", panelist::domain::text::inert_line(&msg));
            }
            ExitCode::from(panelist::exit::ERROR)
        }
    }
}
