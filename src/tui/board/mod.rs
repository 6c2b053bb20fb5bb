//! The chair's board: a merged result on screen. Ranking tables per
//! direction with flags highlighted, one application's score distribution
//! per criterion and each expert's marks, and the panel statistics.
//!
//! Read-only: the board never writes. It runs on the expert screens'
//! keymap (the same configuration overrides apply: list keys in the
//! tables, detail keys in an application), theme, glyphs, languages and
//! terminal guard. Key press → [`Action`] → [`Board::update`] → redraw.

pub mod strings;
pub mod ui;

use crate::tui::ScreenBasics;
use std::cell::Cell;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use crossterm::event::{
    self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};

use super::action::{Action, Cmd, Context, Wheel};
use super::config::Settings;
use crate::crypto::envelope::{Envelope, MERGED_TYPE};
use crate::domain::text::inert_line;
use crate::formats::merged::{MergedApp, MergedPayload};
use strings::BoardStrings;

pub use super::app::{MIN_HEIGHT, MIN_WIDTH, WIDE_HEIGHT, WIDE_WIDTH};

/// How far the file on screen is to be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Verified against a roster: signed by this chair.
    Verified(String),
    /// Carries the chair's signature, not checked (no roster given).
    Signed(String),
    /// An unsigned draft.
    Unsigned,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Ranking,
    Experts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

/// The board's state; [`Board::update`] is the one place it changes.
#[derive(Debug)]
pub struct Board {
    pub payload: MergedPayload,
    pub trust: Trust,
    pub settings: Settings,
    pub size: (u16, u16),
    pub view: View,
    pub focus: Focus,
    pub help: bool,
    /// Index into the direction codes.
    pub dir: usize,
    /// Cursor in the current direction's ranking.
    pub cursor: usize,
    pub detail_scroll: usize,
    /// Scroll of the experts view.
    pub experts_scroll: usize,
    pub quit: bool,
    dirs: Vec<u32>,
    /// Remembered by drawing: the first row shown and the page height.
    pub(crate) list_offset: Cell<usize>,
    pub(crate) page: Cell<usize>,
    pub(crate) detail_max: Cell<usize>,
    pub(crate) experts_max: Cell<usize>,
}

impl crate::tui::ScreenBasics for Board {
    fn settings(&self) -> &Settings {
        &self.settings
    }

    fn size(&self) -> (u16, u16) {
        self.size
    }
}

impl Board {
    pub fn new(payload: MergedPayload, trust: Trust, settings: Settings) -> Board {
        let dirs = payload.direction_codes();
        Board {
            payload,
            trust,
            settings,
            size: (80, 24),
            view: View::Ranking,
            focus: Focus::List,
            help: false,
            dir: 0,
            cursor: 0,
            detail_scroll: 0,
            experts_scroll: 0,
            quit: false,
            dirs,
            list_offset: Cell::new(0),
            page: Cell::new(10),
            detail_max: Cell::new(0),
            experts_max: Cell::new(0),
        }
    }

    pub fn b(&self) -> &'static BoardStrings {
        BoardStrings::of(self.settings.lang)
    }

    pub fn directions(&self) -> &[u32] {
        &self.dirs
    }

    /// The direction on screen.
    pub fn direction(&self) -> Option<u32> {
        self.dirs.get(self.dir).copied()
    }

    /// The current direction's applications in rank order.
    pub fn ranked(&self) -> Vec<&MergedApp> {
        self.direction()
            .map(|d| self.payload.ranked(d))
            .unwrap_or_default()
    }

    /// The application under the cursor.
    pub fn current(&self) -> Option<&MergedApp> {
        self.ranked().get(self.cursor).copied()
    }

    /// Puts the cursor on application `id` (its direction first).
    pub fn select_id(&mut self, id: &str) -> bool {
        let Some(a) = self.payload.applications.iter().find(|a| a.id == id) else {
            return false;
        };
        let d = a.direction;
        let Some(di) = self.dirs.iter().position(|x| *x == d) else {
            return false;
        };
        self.dir = di;
        match self.ranked().iter().position(|a| a.id == id) {
            Some(i) => {
                self.cursor = i;
                self.detail_scroll = 0;
                true
            }
            None => false,
        }
    }

    /// Where a key press lands.
    pub fn context(&self) -> Context {
        match (self.view, self.focus) {
            (View::Ranking, Focus::List) => Context::List,
            _ => Context::Detail,
        }
    }

    /// What a key means here.
    pub fn action_for(&self, k: KeyEvent) -> Option<Action> {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            return Some(Action::ForceQuit);
        }
        let km = &self.settings.keymap;
        if self.too_small() {
            return match km.lookup(Context::Global, &k) {
                Some(c @ (Cmd::Quit | Cmd::Lang)) => Some(Action::Cmd(c)),
                _ => None,
            };
        }
        if self.help {
            return match km.lookup(Context::Detail, &k) {
                Some(c @ (Cmd::Quit | Cmd::Lang | Cmd::Help | Cmd::Back)) => Some(Action::Cmd(c)),
                _ => None,
            };
        }
        km.lookup(self.context(), &k).map(Action::Cmd)
    }

    /// Turns a terminal event into an action and applies it.
    pub fn on_event(&mut self, ev: Event) {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                if let Some(a) = self.action_for(k) {
                    self.update(a);
                }
            }
            Event::Mouse(m) => {
                let dir = match m.kind {
                    MouseEventKind::ScrollUp => Wheel::Up,
                    MouseEventKind::ScrollDown => Wheel::Down,
                    _ => return,
                };
                self.update(Action::Wheel {
                    dir,
                    col: m.column,
                    row: m.row,
                });
            }
            Event::Resize(width, height) => self.update(Action::Resize { width, height }),
            _ => {}
        }
    }

    fn move_by(&mut self, delta: isize) {
        let scroll = |v: usize, max: usize| (v as isize + delta).clamp(0, max as isize) as usize;
        match (self.view, self.focus) {
            (View::Experts, _) => {
                self.experts_scroll = scroll(self.experts_scroll, self.experts_max.get());
            }
            (View::Ranking, Focus::Detail) => {
                self.detail_scroll = scroll(self.detail_scroll, self.detail_max.get());
            }
            (View::Ranking, Focus::List) => {
                let n = self.ranked().len();
                if n > 0 {
                    self.cursor = scroll(self.cursor, n - 1);
                    self.detail_scroll = 0;
                }
            }
        }
    }

    fn set_direction(&mut self, delta: isize) {
        let n = self.dirs.len();
        if n == 0 {
            return;
        }
        self.dir = (self.dir as isize + delta).rem_euclid(n as isize) as usize;
        self.cursor = 0;
        self.detail_scroll = 0;
        self.list_offset.set(0);
        if self.view == View::Experts {
            self.view = View::Ranking;
        }
    }

    /// The one place state changes.
    pub fn update(&mut self, a: Action) {
        let page = self.page.get().max(1) as isize;
        match a {
            Action::Resize { width, height } => self.size = (width, height),
            Action::ForceQuit => self.quit = true,
            Action::Wheel { dir, .. } => self.move_by(if dir == Wheel::Up { -3 } else { 3 }),
            Action::Cmd(c) => match c {
                Cmd::Quit => self.quit = true,
                Cmd::Help => self.help = !self.help,
                Cmd::Lang => self.settings.lang = self.settings.lang.toggle(),
                Cmd::Back if self.help => self.help = false,
                Cmd::Back => match (self.view, self.focus) {
                    (View::Ranking, Focus::Detail) => self.focus = Focus::List,
                    (View::Experts, _) => self.view = View::Ranking,
                    _ => {}
                },
                Cmd::FocusNext | Cmd::FocusPrev => {
                    self.view = match self.view {
                        View::Ranking => View::Experts,
                        View::Experts => View::Ranking,
                    };
                    self.focus = Focus::List;
                }
                Cmd::NextDirection | Cmd::Direction => self.set_direction(1),
                Cmd::PrevDirection => self.set_direction(-1),
                Cmd::Open if self.view == View::Ranking && self.current().is_some() => {
                    self.focus = Focus::Detail;
                    self.detail_scroll = 0;
                }
                Cmd::Up => self.move_by(-1),
                Cmd::Down => self.move_by(1),
                Cmd::PageUp => self.move_by(-page),
                Cmd::PageDown => self.move_by(page),
                Cmd::Top => self.move_by(-(1 << 20)),
                Cmd::Bottom => self.move_by(1 << 20),
                _ => {}
            },
            Action::Digit(_) | Action::DigitBackspace | Action::Key(_) => {}
        }
    }
}

/// Reads a merged result for the board: any merged file, signed or a
/// draft. With a roster, the file must verify as `panelist verify` checks
/// it, and the board says so.
pub fn load(path: &Path, roster: Option<&Path>) -> Result<(MergedPayload, Trust)> {
    let p = path.display();
    const MAX: u64 = 256 * 1024 * 1024;
    let md = std::fs::metadata(path)
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::support::fs::io_msg(&e)))?;
    if md.len() > MAX {
        bail!("{p}: larger than {} MiB", MAX >> 20);
    }
    let text = crate::support::fs::read_text(path, &crate::support::fs::limits::SIGNED)?;
    let env = Envelope::parse_unsigned(&text).map_err(|e| anyhow!("{p}: {e}"))?;
    if env.payload_type != MERGED_TYPE {
        bail!(
            "{p}: not a merged result (payloadType {}); the board shows what panelist merge writes",
            inert_line(&env.payload_type)
        );
    }
    let payload: MergedPayload =
        serde_json::from_value(env.payload.clone()).map_err(|e| anyhow!("{p}: payload: {e}"))?;
    // Bounded scales and weights: the drawing does arithmetic with them.
    payload
        .rubric
        .to_rubric()
        .map_err(|m| anyhow!("{p}: payload rubric: {m}"))?;
    let trust = match roster {
        Some(r) => {
            let entries = crate::import::read_roster(r)?;
            crate::verify::check_roster(&entries).map_err(|m| anyhow!("{}: {m}", r.display()))?;
            let ctx = crate::verify::Context {
                roster: &entries,
                bundle: None,
            };
            let v = crate::verify::verify_text(&text, &ctx)
                .map_err(|m| anyhow!("{p}: does not verify: {}", inert_line(&m.message)))?;
            Trust::Verified(v.signer)
        }
        None if env.signatures.is_empty() => Trust::Unsigned,
        None => Trust::Signed(
            payload
                .chair
                .as_ref()
                .map(|c| c.id.clone())
                .unwrap_or_default(),
        ),
    };
    Ok((payload, trust))
}

/// Runs the board until the chair quits.
pub fn run(payload: MergedPayload, trust: Trust, settings: Settings) -> Result<()> {
    let mut board = Board::new(payload, trust, settings);
    let mut guard = super::TerminalGuard::enter()?;
    let size = guard.terminal.size().context("terminal size")?;
    board.update(Action::Resize {
        width: size.width,
        height: size.height,
    });
    while !board.quit {
        guard
            .terminal
            .draw(|f| ui::draw(f, &board))
            .context("drawing")?;
        let ev = event::read().context("reading the keyboard")?;
        board.on_event(ev);
    }
    Ok(())
}
