//! The terminal screens: the expert's ([`expert`]: read applications,
//! declare conflicts, score, comment, recommend, export), the chair's
//! board ([`board`]) and the auditor's replay of a history ([`replay`]),
//! all built on one [`kit`].
//!
//! Key press → [`action::Action`] → `update` → an `Effect` (a store write,
//! an export) run by [`kit::run`]'s loop → redraw. The screens never write
//! SQL; every change is signed with the owner's key and goes through
//! `keyring::session::Session::append_all`, and the header says
//! "saved" only once it returned. The terminal is restored on quit, on
//! error (a guard) and on panic (a hook).

pub mod board;
pub mod expert;
pub mod kit;
pub mod replay;

pub use kit::{ScreenBasics, action, config, keymap, search, strings, text, theme};

use anyhow::{Context as _, Result};

use crate::store::Bundle;
use crate::support::clock::Clock;
use crate::support::lang::Lang;
use config::{Config, Settings};

/// Loads the configuration file and resolves the settings.
pub fn settings(lang_flag: Option<Lang>) -> Result<Settings> {
    let path = crate::support::paths::config_file()?;
    Config::load(&path)?.settings(lang_flag, config::env_lang())
}

/// Takes the terminal as the screens do (raw mode, alternate screen, mouse
/// and paste reporting, cursor hidden), draws one frame and panics: the
/// hidden `dev screen-panic` command, with which the end-to-end tests check
/// that the panic hook and the guard give the shell its terminal back.
pub fn screen_panic() -> Result<()> {
    let mut guard = kit::TerminalGuard::enter(true)?;
    guard
        .terminal
        .draw(|f| {
            let area = f.area();
            f.render_widget(ratatui::widgets::Paragraph::new("screen-panic"), area);
        })
        .context("drawing")?;
    guard.terminal.hide_cursor().context("cursor")?;
    panic!("a deliberate panic on the screens (dev screen-panic)");
}

/// Runs the expert screens on `bundle` (opened for writing) until the
/// expert quits; with `key`, already signed in as its expert.
pub fn run(
    bundle: Bundle,
    clock: &Clock,
    settings: Settings,
    key: Option<crate::keyring::Unlocked>,
) -> Result<()> {
    expert::run(bundle, clock, settings, key)
}
