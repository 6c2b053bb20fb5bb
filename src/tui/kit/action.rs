//! What the expert asks for, and what the loop must do about it.
//!
//! Key presses become [`Action`]s (through the keymap, or as text for an
//! input field); [`super::app::App::update`] turns an action into state
//! changes and [`Effect`]s; only the loop runs effects (store writes).

use crossterm::event::KeyEvent;
use serde::{Deserialize, Serialize};

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
    /// Replay: filter the events.
    Filter,
    /// Replay: one event back, one event on.
    Earlier,
    Later,
    /// Replay: pick an application and show its own history.
    AppHistory,
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
        Cmd::Filter,
        Cmd::Earlier,
        Cmd::Later,
        Cmd::AppHistory,
    ];

    /// The name used in the configuration file.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Where a key press lands: each has its own bindings, and its parent's
/// (`Global` for the expert screens, `Replay` for the auditor's) apply
/// wherever a context has none for that key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    List,
    Detail,
    Scoring,
    /// Everywhere on the replay screen.
    Replay,
    /// The replay's timeline of events.
    Timeline,
    /// The replay's score sheet at the chosen moment.
    Sheet,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Scoring,
        Context::Replay,
        Context::Timeline,
        Context::Sheet,
    ];

    /// The expert screens' contexts, as the help lists them.
    pub const EXPERT: [Context; 4] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Scoring,
    ];

    /// The replay screen's contexts.
    pub const REPLAY: [Context; 3] = [Context::Replay, Context::Timeline, Context::Sheet];

    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Scoring => "scoring",
            Context::Replay => "replay",
            Context::Timeline => "timeline",
            Context::Sheet => "sheet",
        }
    }

    /// Where a key this context does not bind is looked up next.
    pub fn parent(self) -> Option<Context> {
        match self {
            Context::Global | Context::Replay => None,
            Context::List | Context::Detail | Context::Scoring => Some(Context::Global),
            Context::Timeline | Context::Sheet => Some(Context::Replay),
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
    /// A left click at a screen position.
    Click { col: u16, row: u16 },
    /// The terminal has a new size.
    Resize { width: u16, height: u16 },
    /// Save what is open and quit (Ctrl-C).
    ForceQuit,
}
