//! What the expert asks for, and what the loop must do about it.
//!
//! Key presses become [`Action`]s (through the keymap, or as text for an
//! input field); [`super::app::App::update`] turns an action into state
//! changes and [`Effect`]s; only the loop runs effects (store writes).

use crossterm::event::KeyEvent;
use serde::{Deserialize, Serialize};

use crate::domain::history::Change;
use crate::store::Identity;

/// A command a key can be bound to (see `keymap`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cmd {
    Quit,
    Help,
    Lang,
    Export,
    FocusNext,
    FocusPrev,
    Back,
    Search,
    Direction,
    NextDirection,
    PrevDirection,
    StatusFilter,
    ClearFilters,
    Recuse,
    Scope,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Inc,
    Dec,
    IncLarge,
    DecLarge,
    Clear,
    Commit,
    Comment,
    Recommend,
    NotRecommend,
}

impl Cmd {
    pub const ALL: &'static [Cmd] = &[
        Cmd::Quit,
        Cmd::Help,
        Cmd::Lang,
        Cmd::Export,
        Cmd::FocusNext,
        Cmd::FocusPrev,
        Cmd::Back,
        Cmd::Search,
        Cmd::Direction,
        Cmd::NextDirection,
        Cmd::PrevDirection,
        Cmd::StatusFilter,
        Cmd::ClearFilters,
        Cmd::Recuse,
        Cmd::Scope,
        Cmd::Up,
        Cmd::Down,
        Cmd::PageUp,
        Cmd::PageDown,
        Cmd::Top,
        Cmd::Bottom,
        Cmd::Open,
        Cmd::Inc,
        Cmd::Dec,
        Cmd::IncLarge,
        Cmd::DecLarge,
        Cmd::Clear,
        Cmd::Commit,
        Cmd::Comment,
        Cmd::Recommend,
        Cmd::NotRecommend,
    ];

    /// The name used in the configuration file.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Where a key press lands: each has its own bindings, and `Global`
/// bindings apply wherever a context has none for that key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    List,
    Detail,
    Scoring,
}

impl Context {
    pub const ALL: [Context; 4] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Scoring,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Scoring => "scoring",
        }
    }
}

/// Which way the mouse wheel turned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wheel {
    Up,
    Down,
}

/// One request to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A bound command.
    Cmd(Cmd),
    /// A digit typed while scoring.
    Digit(u8),
    /// Backspace while scoring: edits the typed digits.
    DigitBackspace,
    /// A key for the open text field or dialog.
    Key(KeyEvent),
    /// The mouse wheel at a screen position.
    Wheel { dir: Wheel, col: u16, row: u16 },
    /// The terminal has a new size.
    Resize { width: u16, height: u16 },
    /// Save what is open and quit (Ctrl-C).
    ForceQuit,
}

/// Work for the loop: the app never does I/O itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Record a change with `Bundle::append`; the result goes back to
    /// `App::on_appended`.
    Append(Change),
    /// Make the working copy this expert's (`Bundle::claim`); the result
    /// goes back to `App::on_claimed`.
    Claim(Identity),
    Quit,
}
