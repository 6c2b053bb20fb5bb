//! The expert screens' dialogs, one file each: its state, its keys (an
//! [`Outcome`] the screen's `update` acts on) and its drawing. The
//! identity picker, the first screen of an unclaimed copy, is one too.

mod comment;
mod conflict;
mod direction;
mod export;
mod help;
mod identity;
mod newkey;
mod quit;
mod recuse;
mod scope;
mod unlock;

pub use comment::CommentEditor;
pub use conflict::ConflictWarning;
pub use direction::DirectionPicker;
pub use export::{ExportDialog, ExportStep, ExportTarget};
pub use help::{Help, help_lines};
pub use identity::{IdentityForm, IdentityPicker};
pub use newkey::{NewKeyDialog, NewKeyStep};
pub use recuse::Recusal;
pub use scope::ScopeNote;
pub use unlock::UnlockDialog;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::effects::{ExportRequest, NewKeyRequest, UnlockRequest};
use super::state::App;
use crate::domain::history::Change;
use crate::domain::text::inert_line;
use crate::store::Identity;
use crate::tui::ScreenBasics;
use crate::tui::kit::frame;
use crate::tui::text::wrap;

#[derive(Debug)]
pub enum Dialog {
    Help(Help),
    Direction(DirectionPicker),
    Scope(ScopeNote),
    Comment(CommentEditor),
    /// The reason is typed, then (`confirm`) the recusal confirmed.
    Recuse {
        confirm: bool,
        recusal: Recusal,
    },
    Conflict(ConflictWarning),
    Export(Box<ExportDialog>),
    /// The owner's key's passphrase, asked once when the copy opens.
    Unlock(UnlockDialog),
    /// Making the owner's key when there is none.
    NewKey(Box<NewKeyDialog>),
    /// Quit asked while a value is typed: quit without it?
    QuitPending,
}

/// What a key in a dialog (or the identity picker) asks of the screen.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The dialog stays open.
    Stay,
    Close,
    /// Close and show direction `n` (0: all) of the filter's list.
    PickDirection(usize),
    /// Close and record the change.
    Append(Change),
    /// Record the comment if it changed; with `close`, close.
    SaveComment {
        close: bool,
    },
    /// Ask for the recusal of this application instead.
    Recuse(usize),
    /// The expert sees no conflict with this application: close.
    Cleared(usize),
    /// Look at the export's output path (full path, exists?).
    CheckExport(std::path::PathBuf),
    /// Sign and write the export (the dialog shows it running).
    Export(ExportRequest),
    /// Write the score sheet of this (just written) export beside it.
    PrintSheet(std::path::PathBuf),
    /// Claim the working copy as this expert.
    Claim(Identity),
    /// Unlock the owner's key with the typed passphrase.
    Unlock(UnlockRequest),
    /// Make the owner's key.
    MakeKey(NewKeyRequest),
    /// The key dialog is closed without unlocking: nothing can change yet.
    KeyLater,
    Quit,
    /// Switch the language.
    Lang,
}

impl Dialog {
    /// Applies a key to the open dialog; `app` is the screen around it.
    pub(super) fn key(&mut self, k: KeyEvent, app: &App) -> Outcome {
        match self {
            Dialog::Help(h) => h.key(k),
            Dialog::Direction(d) => d.key(k, app),
            Dialog::Scope(d) => d.key(k),
            Dialog::Comment(d) => d.key(k),
            Dialog::Recuse { confirm, recusal } => recusal.key(k, confirm, app),
            Dialog::Conflict(d) => d.key(k),
            Dialog::Export(d) => d.key(k, app),
            Dialog::Unlock(d) => d.key(k, app),
            Dialog::NewKey(d) => d.key(k, app),
            Dialog::QuitPending => quit::key(k),
        }
    }

    /// Draws the dialog over the screen.
    pub(super) fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        match self {
            Dialog::Help(h) => h.draw(frame, app, area),
            Dialog::Direction(d) => d.draw(frame, app, area),
            Dialog::Scope(d) => d.draw(frame, app, area),
            Dialog::Comment(d) => d.draw(frame, app, area),
            Dialog::Recuse { confirm, recusal } => recusal.draw(frame, app, area, *confirm),
            Dialog::Conflict(d) => d.draw(frame, app, area),
            Dialog::Export(d) => d.draw(frame, app, area),
            Dialog::Unlock(d) => d.draw(frame, app, area),
            Dialog::NewKey(d) => d.draw(frame, app, area),
            Dialog::QuitPending => quit::draw(frame, app, area),
        }
    }
}

/// Clears `r` and draws a focused block there; returns the inner area.
fn frame_box(frame: &mut Frame, app: &App, r: Rect, title: String) -> Rect {
    frame::frame_box(frame, app.theme(), r, title)
}

/// Makes the keys of the hint line at row `row` of a dialog's `inner` area
/// clickable (see [`crate::tui::kit::hit::hint_keys`]).
fn hint_buttons(app: &App, hint: &str, inner: Rect, row: usize) {
    if row >= inner.height as usize {
        return;
    }
    let at = Rect::new(inner.x, inner.y + row as u16, inner.width, 1);
    for (r, k) in crate::tui::kit::hit::hint_keys(hint, at) {
        app.areas.hits.add(r, super::state::Target::Key(k));
    }
}

/// Application `i`'s id and title as a dialog's heading, wrapped to `iw`.
fn app_heading(app: &App, i: usize, iw: usize) -> Vec<Line<'static>> {
    let a = &app.session.apps[i];
    wrap(
        &format!("{}  {}", inert_line(&a.id), inert_line(&a.title)),
        iw,
    )
    .into_iter()
    .map(|l| Line::styled(l, app.theme().heading()))
    .collect()
}

/// A key typed into a masked passphrase field, alike in every dialog that
/// asks for one (unlock, export, a new key): Backspace, Ctrl-U to clear, or
/// a printable character, refused past the field's limit with `too_long`.
/// Other keys leave the field as it is.
pub(super) fn type_passphrase(
    field: &mut crate::crypto::keys::Passphrase,
    error: &mut Option<String>,
    k: &KeyEvent,
    too_long: &str,
) {
    use crossterm::event::{KeyCode, KeyModifiers};
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Backspace => field.pop(),
        KeyCode::Char('u') if ctrl => field.clear(),
        KeyCode::Char(c) if !ctrl && !c.is_control() => {
            if field.push(c) {
                *error = None;
            } else {
                *error = Some(too_long.to_string());
            }
        }
        _ => {}
    }
}
