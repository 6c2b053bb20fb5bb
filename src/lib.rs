//! panelist: a terminal workstation for the expert panels of MIIT's
//! cybersecurity technology application pilot-demonstration call
//! (网络安全技术应用试点示范).
//!
//! Data flows one way: the command line or a key press becomes a request
//! to the library; storage (`store`), the rules and the history (`domain`)
//! know nothing of the terminal. Only `cli` knows the argument parser;
//! command output goes through `cli::print`.

#![forbid(unsafe_code)]

pub mod audit;
pub mod cli;
pub mod combine;
pub mod crypto;
pub mod demo;
pub mod dev;
pub mod domain;
pub mod export;
pub mod formats;
pub mod import;
pub mod keyring;
pub mod merge;
pub mod paper;
pub mod roster;
pub mod store;
pub mod support;
pub mod tui;
pub mod verify;

/// Exit codes: 0 all good, 1 findings, 2 error.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
}

/// `s` padded with spaces to `width` terminal columns (wide CJK
/// characters take two), for aligned command-line tables.
pub fn pad(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}
