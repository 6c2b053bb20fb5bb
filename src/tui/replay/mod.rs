//! The auditor's screen, `panelist replay FILE`: every event of one
//! expert's history (a working copy or a signed export) on a timeline with
//! its chain status, the score sheet as it stood at any moment, an
//! application's own history, and a filter.
//!
//! Like the expert screens: pure state ([`app::ReplayApp`]) changed only
//! by `update`, drawn by [`ui::draw`], the same keymap (contexts `replay`,
//! `timeline`, `sheet`), themes, strings and terminal guard. Reading the
//! file is [`source::Source::open`], before the screen opens; nothing here
//! writes.

pub mod app;
pub mod filter;
pub mod source;
pub mod ui;

use std::path::Path;

use anyhow::{Context as _, Result};
use crossterm::event;

use super::TerminalGuard;
use super::config::Settings;
use app::{Flow, ReplayApp};
use source::Source;

/// Reads `path` and runs the replay screen until the auditor quits.
pub fn run(path: &Path, settings: Settings) -> Result<()> {
    let src = Source::open(path)?;
    run_source(src, settings)
}

/// Runs the replay screen on a source already read.
pub fn run_source(src: Source, settings: Settings) -> Result<()> {
    let mut app = ReplayApp::new(src, settings);
    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size().context("terminal size")?;
    app.update(crate::tui::action::Action::Resize {
        width: size.width,
        height: size.height,
    });
    loop {
        guard
            .terminal
            .draw(|f| ui::draw(f, &app))
            .context("drawing")?;
        let ev = event::read().context("reading the keyboard")?;
        if app.on_event(ev) == Flow::Quit {
            return Ok(());
        }
    }
}
