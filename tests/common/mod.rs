//! Helpers shared by the integration tests, one `mod common;` per test
//! file. Each test binary uses a subset, so the whole module allows dead
//! code. See tests/README.md.
#![allow(dead_code)]

// Small bundles built through the library.
pub mod bundle;
// A generated call of several panels, combined.
pub mod call;
// The real binary in a scratch PANELIST_HOME.
pub mod cli;
// The fixed panel for the screen tests.
pub mod fixture;
// One language per screen: the check of the snapshots' text.
pub mod lang_check;
// Keyed experts, sealed keys, marks as events, keyed runs, merge fixtures.
pub mod panel;
// Screens on ratatui's TestBackend as text.
pub mod screen;
// tmux around the real binary, for the end-to-end screen tests.
pub mod tmux;
// The SIGKILL harness for commands that write one output file.
pub mod sigkill;
