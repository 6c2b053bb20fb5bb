//! The auditor's screen, `panelist replay FILE`: every event of one
//! expert's history (a working copy or a signed export) on a timeline with
//! its chain status, the score sheet as it stood at any moment, an
//! application's own history, and a filter.
//!
//! Like the expert screens: pure state ([`state::ReplayApp`]) changed only
//! by `update`, drawn by [`view::draw`], the same keymap (contexts `replay`,
//! `timeline`, `sheet`), themes, strings and terminal guard. Reading the
//! file is [`source::Source::open`], before the screen opens; nothing here
//! writes.

pub mod filter;
pub mod source;
pub mod state;
pub mod view;

use std::path::Path;

use anyhow::Result;
use crossterm::event::Event;
use ratatui::Frame;

use crate::tui::kit::config::Settings;
use crate::tui::kit::{self, Flow};
use source::Source;
use state::ReplayApp;

/// The replay's only effect: it reads its file before it opens and never
/// writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Quit,
}

impl kit::Screen for ReplayApp {
    type Effect = Effect;

    fn draw(&mut self, frame: &mut Frame) {
        view::draw(frame, self);
    }

    fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        match ReplayApp::on_event(self, ev) {
            Flow::Quit => vec![Effect::Quit],
            Flow::Continue => Vec::new(),
        }
    }

    fn run_effect(&mut self, effect: Effect) -> Flow {
        match effect {
            Effect::Quit => Flow::Quit,
        }
    }
}

/// Reads `path` and runs the replay screen until the auditor quits.
pub fn run(path: &Path, settings: Settings) -> Result<()> {
    let src = Source::open(path)?;
    run_source(src, settings)
}

/// Runs the replay screen on a source already read.
pub fn run_source(src: Source, settings: Settings) -> Result<()> {
    kit::run(&mut ReplayApp::new(src, settings))
}
