//! The expert's screens: read applications, declare conflicts, score,
//! comment, recommend, export; and the auditor's replay of a history
//! ([`replay`]).
//!
//! Key press → [`action::Action`] → [`app::App::update`] → [`action::Effect`]
//! (a store write) run by [`run`]'s loop → redraw. The screens never write
//! SQL; every change goes through `Bundle::append`, and the header says
//! "saved" only once it returned. The terminal is restored on quit, on
//! error (a guard) and on panic (a hook).

pub mod action;
pub mod app;
pub mod board;
pub mod config;
pub mod keymap;
pub mod replay;
pub mod search;
pub mod strings;
pub mod text;
pub mod theme;
pub mod ui;

use std::io::{self, Stdout};
use std::sync::Once;

use anyhow::{Context as _, Result};
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::store::Bundle;
use crate::support::clock::Clock;
use crate::support::lang::Lang;
use app::{App, Session};
use config::{Config, Settings};

/// What the expert screens, the board and the replay read alike from their
/// settings and the terminal's size.
pub trait ScreenBasics {
    fn settings(&self) -> &Settings;

    /// The terminal's width and height.
    fn size(&self) -> (u16, u16);

    fn lang(&self) -> Lang {
        self.settings().lang
    }

    fn s(&self) -> &'static strings::Strings {
        strings::Strings::of(self.lang())
    }

    fn theme(&self) -> theme::Theme {
        theme::Theme::new(self.settings().theme)
    }

    /// Room for two panes side by side.
    fn is_wide(&self) -> bool {
        let (w, h) = self.size();
        w >= app::WIDE_WIDTH && h >= app::WIDE_HEIGHT
    }

    /// Too small for any screen: a notice is drawn instead.
    fn too_small(&self) -> bool {
        let (w, h) = self.size();
        w < app::MIN_WIDTH || h < app::MIN_HEIGHT
    }
}

/// Loads the configuration file and resolves the settings.
pub fn settings(lang_flag: Option<Lang>) -> Result<Settings> {
    let path = crate::support::paths::config_file()?;
    Config::load(&path)?.settings(lang_flag, config::env_lang())
}

/// Puts the terminal back the way the shell expects it. Safe to call twice.
fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

/// Restores the terminal when dropped: on quit, on `?`, on unwinding.
/// Shared by the expert screens and the chair's board.
pub(crate) struct TerminalGuard {
    pub(crate) terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    pub(crate) fn enter() -> Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode().context("cannot put the terminal in raw mode")?;
        let setup = execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )
        .context("cannot set up the terminal")
        .and_then(|_| {
            Terminal::new(CrosstermBackend::new(io::stdout())).context("cannot use the terminal")
        });
        match setup {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Restores the terminal before the panic message is printed, so that the
/// message is readable and the shell usable.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Takes the terminal as the screens do (raw mode, alternate screen, mouse
/// and paste reporting, cursor hidden), draws one frame and panics: the
/// hidden `dev screen-panic` command, with which the end-to-end tests check
/// that the panic hook and the guard give the shell its terminal back.
pub fn screen_panic() -> Result<()> {
    let mut guard = TerminalGuard::enter()?;
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
/// expert quits.
pub fn run(mut bundle: Bundle, clock: &Clock, settings: Settings) -> Result<()> {
    // Key files are read once: their public parts name the expert's key
    // in the header and the export dialog. An unreadable keys folder only
    // means no key is offered.
    let keys = crate::keyring::public_keys().unwrap_or_default();
    let session = Session::load(&bundle)?.with_keys(keys);
    let mut app = App::new(session, settings);
    let mut guard = TerminalGuard::enter()?;
    let size = guard.terminal.size().context("terminal size")?;
    app.update(action::Action::Resize {
        width: size.width,
        height: size.height,
    });
    loop {
        guard
            .terminal
            .draw(|f| ui::draw(f, &app))
            .context("drawing")?;
        let ev = event::read().context("reading the keyboard")?;
        let effects = app.on_event(ev);
        if effects.is_empty() {
            continue;
        }
        // Show "saving…" (or "signing…") while the write runs.
        if effects
            .iter()
            .any(|e| matches!(e, action::Effect::Append(_) | action::Effect::Export(_)))
        {
            guard
                .terminal
                .draw(|f| ui::draw(f, &app))
                .context("drawing")?;
        }
        for e in effects {
            if !app::run_effect(&mut bundle, clock, &mut app, e) {
                return Ok(());
            }
        }
    }
}
