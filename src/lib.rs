//! panelist: a terminal workstation for the expert panels of MIIT's
//! cybersecurity technology application pilot-demonstration call
//! (网络安全技术应用试点示范).
//!
//! Data flows one way: the command line or a key press becomes a request
//! to the library; storage (`store`), the rules and the history (`domain`)
//! know nothing of the terminal.

#![forbid(unsafe_code)]

pub mod cli;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod fsutil;
pub mod import;
pub mod jsonio;
pub mod lang;
pub mod paths;
pub mod store;
pub mod tui;

/// Exit codes: 0 all good, 1 findings, 2 error.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FINDINGS: u8 = 1;
    pub const ERROR: u8 = 2;
}

/// How many more columns `s` takes on a terminal than it has characters
/// (each wide CJK character takes two), for padding with `format!`.
pub fn display_width_excess(s: &str) -> usize {
    use unicode_width::UnicodeWidthStr;
    s.width().saturating_sub(s.chars().count())
}
