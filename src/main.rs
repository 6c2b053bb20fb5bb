//! The `panelist` binary: parse, run, map failure to exit code 2 with one
//! clear line.

use std::process::ExitCode;

fn main() -> ExitCode {
    match panelist::cli::run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let msg = format!("{e:#}").replace(['\n', '\r'], " ");
            eprintln!(
                "panelist: error: {}",
                panelist::domain::text::inert_line(&msg)
            );
            ExitCode::from(panelist::exit::ERROR)
        }
    }
}
