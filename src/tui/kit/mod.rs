//! What the three screens (the expert's, the chair's board, the auditor's
//! replay) share: the frame ([`frame`]), keys and commands ([`action`],
//! [`keymap`]), settings ([`config`]), themes, strings, inert text and
//! widths, search, the terminal guard and the one loop ([`run`]) that runs
//! a [`Screen`].

pub mod action;
pub mod config;
pub mod editor;
pub mod errors;
pub mod frame;
pub mod hit;
pub mod keymap;
pub mod scroll;
pub mod search;
pub mod strings;
pub mod text;
pub mod theme;

use std::io::{self, Stdout};
use std::sync::Once;

use anyhow::{Context as _, Result};
use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::{Frame, Terminal};

use crate::support::lang::Lang;
use action::{Action, Wheel};
use config::Settings;

/// The smallest terminal the screens are drawn in.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// From this size on, list and application sit side by side.
pub const WIDE_WIDTH: u16 = 120;
pub const WIDE_HEIGHT: u16 = 28;

/// What every screen's state holds alike: its settings and the terminal's
/// size (recorded on every resize, before the first frame).
#[derive(Debug, Clone)]
pub struct Basics {
    pub settings: Settings,
    pub size: (u16, u16),
}

impl Basics {
    /// `settings` on a terminal assumed 80×24 until the loop says.
    pub fn new(settings: Settings) -> Basics {
        Basics {
            settings,
            size: (80, 24),
        }
    }
}

/// What the expert screens, the board and the replay read alike from their
/// settings and the terminal's size.
pub trait ScreenBasics {
    fn basics(&self) -> &Basics;

    fn settings(&self) -> &Settings {
        &self.basics().settings
    }

    /// The terminal's width and height.
    fn size(&self) -> (u16, u16) {
        self.basics().size
    }

    fn lang(&self) -> Lang {
        self.settings().lang
    }

    fn s(&self) -> &'static strings::Strings {
        strings::Strings::of(self.lang())
    }

    fn theme(&self) -> theme::Theme {
        theme::Theme::new(self.settings().theme)
    }

    /// What drawing reads first: the strings, the theme and the glyphs.
    fn look(&self) -> Look {
        Look {
            s: self.s(),
            t: self.theme(),
            g: self.settings().glyphs,
        }
    }

    /// Room for two panes side by side.
    fn is_wide(&self) -> bool {
        let (w, h) = self.size();
        w >= WIDE_WIDTH && h >= WIDE_HEIGHT
    }

    /// Too small for any screen: a notice is drawn instead.
    fn too_small(&self) -> bool {
        let (w, h) = self.size();
        w < MIN_WIDTH || h < MIN_HEIGHT
    }

    /// The first key bound to `cmd` in `ctx`, as the footer and the
    /// messages name it (empty when unbound).
    fn key_name(&self, ctx: action::Context, cmd: action::Cmd) -> String {
        self.settings()
            .keymap
            .first(ctx, cmd)
            .map(|k| k.to_string())
            .unwrap_or_default()
    }

    /// What a key means whatever the screen: Ctrl-C quits at once, and in
    /// a terminal too small to draw in only quit and language (as `ctx`
    /// binds them) work. `None` when the screen decides.
    fn first_action(&self, k: &KeyEvent, ctx: action::Context) -> Option<Option<Action>> {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(Some(Action::ForceQuit));
        }
        if !self.too_small() {
            return None;
        }
        Some(match self.settings().keymap.lookup(ctx, k) {
            Some(c @ (action::Cmd::Quit | action::Cmd::Lang)) => Some(Action::Cmd(c)),
            _ => None,
        })
    }

    /// [`ScreenBasics::frame_areas`] with the header and the footer drawn.
    fn frame_with(
        &self,
        frame: &mut Frame,
        banner: u16,
        header: fn(&mut Frame, &Self, Rect),
        footer: fn(&mut Frame, &Self, Rect),
    ) -> Option<FrameAreas>
    where
        Self: Sized,
    {
        let parts = self.frame_areas(frame, banner)?;
        header(frame, self, parts.header);
        footer(frame, self, parts.footer);
        Some(parts)
    }

    /// The frame every screen is drawn in: header (two lines), a banner
    /// `banner` lines high, body and footer (one line). `None`, with the
    /// "too small" notice drawn, when the terminal is too small.
    fn frame_areas(&self, frame: &mut Frame, banner: u16) -> Option<FrameAreas> {
        let area = frame.area();
        if self.too_small() || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            frame::too_small_screen(frame, self.s(), self.theme(), area);
            return None;
        }
        let [header, banner, body, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(banner),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(area);
        Some(FrameAreas {
            all: area,
            header,
            banner,
            body,
            footer,
        })
    }
}

/// [`ScreenBasics`] for a screen state with a `basics: Basics` field.
macro_rules! screen_basics {
    ($t:ty) => {
        impl $crate::tui::kit::ScreenBasics for $t {
            fn basics(&self) -> &$crate::tui::kit::Basics {
                &self.basics
            }
        }
    };
}
pub(crate) use screen_basics;

/// The strings, theme and glyphs a screen draws with
/// ([`ScreenBasics::look`]).
#[derive(Clone, Copy)]
pub struct Look {
    pub s: &'static strings::Strings,
    pub t: theme::Theme,
    pub g: theme::Glyphs,
}

/// Where a screen's parts go ([`ScreenBasics::frame_areas`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameAreas {
    /// The whole terminal (where dialogs centre).
    pub all: Rect,
    pub header: Rect,
    pub banner: Rect,
    pub body: Rect,
    pub footer: Rect,
}

/// How a screen takes pasted text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paste {
    /// Not at all.
    Ignore,
    /// Each character as its key, a line break as Enter.
    Keys,
    /// Each character but control characters as its key.
    Printable,
}

/// The actions a terminal event asks for: a key press as `key` maps it
/// (the screen's keymap), the wheel, a new size, pasted text as keys.
pub fn actions(
    ev: Event,
    paste: Paste,
    key: impl FnOnce(KeyEvent) -> Option<Action>,
) -> Vec<Action> {
    let typed = |c: char| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(k).into_iter().collect(),
        Event::Mouse(m) => {
            let dir = match m.kind {
                MouseEventKind::ScrollUp => Wheel::Up,
                MouseEventKind::ScrollDown => Wheel::Down,
                MouseEventKind::Down(MouseButton::Left) => {
                    return vec![Action::Click {
                        col: m.column,
                        row: m.row,
                    }];
                }
                _ => return Vec::new(),
            };
            vec![Action::Wheel {
                dir,
                col: m.column,
                row: m.row,
            }]
        }
        Event::Resize(width, height) => vec![Action::Resize { width, height }],
        Event::Paste(text) => match paste {
            Paste::Ignore => Vec::new(),
            Paste::Keys => text
                .chars()
                .map(|c| {
                    if c == '\n' {
                        Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
                    } else {
                        typed(c)
                    }
                })
                .collect(),
            Paste::Printable => text
                .chars()
                .filter(|c| !c.is_control())
                .map(typed)
                .collect(),
        },
        _ => Vec::new(),
    }
}

/// What the loop does after an effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// One screen as the loop runs it: drawn, fed terminal events, and handed
/// back the effects (the only I/O) those events asked for. Every screen
/// quits the same way: an effect whose run answers [`Flow::Quit`].
pub trait Screen {
    type Effect;

    /// Draws the screen, laying its panes out in its state (the cursor
    /// kept in view, scrolls within their text).
    fn draw(&mut self, frame: &mut Frame);

    /// Applies one terminal event; returns the effects for the loop.
    fn on_event(&mut self, ev: Event) -> Vec<Self::Effect>;

    /// Whether the screen wants a frame drawn before `effects` run (the
    /// header's "saving…").
    fn shows_progress(&self, _effects: &[Self::Effect]) -> bool {
        false
    }

    /// Runs one effect and hands its result back to the screen.
    fn run_effect(&mut self, effect: Self::Effect) -> Flow;

    /// The language switched on the screen could not be written to
    /// `config.toml`: the screen may say so (it stays switched).
    fn not_remembered(&mut self, _error: &anyhow::Error) {}
}

/// Takes the terminal and runs `screen` until one of its effects quits.
/// The mouse is taken unless the settings say `mouse = false`; a language
/// switched on the screen is remembered in `config.toml` for the next
/// start (a failure to write it is told to the screen, which goes on).
pub fn run<S: Screen + ScreenBasics>(screen: &mut S) -> Result<()> {
    let mut guard = TerminalGuard::enter(screen.settings().mouse)?;
    let size = guard.terminal.size().context("terminal size")?;
    for e in screen.on_event(Event::Resize(size.width, size.height)) {
        if screen.run_effect(e) == Flow::Quit {
            return Ok(());
        }
    }
    loop {
        guard.terminal.draw(|f| screen.draw(f)).context("drawing")?;
        let ev = event::read().context("reading the keyboard")?;
        let lang = screen.lang();
        let effects = screen.on_event(ev);
        if screen.lang() != lang {
            let saved = crate::support::paths::config_file()
                .and_then(|p| config::save_lang(&p, screen.lang()));
            if let Err(e) = saved {
                screen.not_remembered(&e);
            }
        }
        if effects.is_empty() {
            continue;
        }
        if screen.shows_progress(&effects) {
            guard.terminal.draw(|f| screen.draw(f)).context("drawing")?;
        }
        for e in effects {
            if screen.run_effect(e) == Flow::Quit {
                return Ok(());
            }
        }
    }
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
pub struct TerminalGuard {
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
}

impl TerminalGuard {
    /// Takes the terminal; with `mouse`, clicks and the wheel come to the
    /// screen (and the terminal selects text only with Shift held).
    pub fn enter(mouse: bool) -> Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode().context("cannot put the terminal in raw mode")?;
        let setup = execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)
            .and_then(|_| {
                if mouse {
                    execute!(io::stdout(), EnableMouseCapture)
                } else {
                    Ok(())
                }
            })
            .context("cannot set up the terminal")
            .and_then(|_| {
                Terminal::new(CrosstermBackend::new(io::stdout()))
                    .context("cannot use the terminal")
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
