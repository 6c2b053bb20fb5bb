//! The expert's screens: read applications, declare conflicts, score,
//! comment, recommend, export. The state ([`state`]) changes only in
//! [`App::update`] ([`update`]), which returns the [`Effect`]s the loop
//! runs ([`effects`], the only I/O); [`view`] draws it.

pub mod dialogs;
pub mod effects;
pub mod state;
pub mod update;
pub mod view;

pub use dialogs::{
    CommentEditor, ConflictWarning, Dialog, DirectionPicker, ExportDialog, ExportStep, Help,
    IdentityForm, IdentityPicker, NewKeyDialog, NewKeyStep, Outcome, Recusal, ScopeNote,
    UnlockDialog,
};
pub use effects::{
    Effect, ExportRequest, NewKeyRequest, UnlockRequest, WorkingCopy, roster_entry_path, run_effect,
};
pub use state::*;

use anyhow::Result;
use crossterm::event::Event;
use ratatui::Frame;

use crate::store::Bundle;
use crate::support::clock::Clock;
use crate::tui::kit::config::Settings;
use crate::tui::kit::{self, Flow};

kit::screen_basics!(App);

impl kit::ScreenBasics for ExpertScreen<'_> {
    fn basics(&self) -> &kit::Basics {
        &self.app.basics
    }
}

/// The expert screens with the working copy they write to, for the loop.
/// The owner's unlocked key lives in `copy` (never in `app`) and is wiped
/// when the screen is dropped on exit.
struct ExpertScreen<'a> {
    app: App,
    copy: WorkingCopy,
    clock: &'a Clock,
}

impl kit::Screen for ExpertScreen<'_> {
    type Effect = Effect;

    fn draw(&mut self, frame: &mut Frame) {
        view::draw(frame, &mut self.app);
        // The first frame is drawn: the copy's content check may start.
        self.copy.start_content_check();
    }

    fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        self.app.on_event(ev)
    }

    /// "saving…" (or "signing…") shows while the write runs.
    fn shows_progress(&self, effects: &[Effect]) -> bool {
        effects.iter().any(|e| {
            matches!(
                e,
                Effect::Append(_) | Effect::Export(_) | Effect::Unlock(_) | Effect::MakeKey(_)
            )
        })
    }

    fn not_remembered(&mut self, error: &anyhow::Error) {
        self.app.lang_not_remembered(error);
    }

    fn run_effect(&mut self, effect: Effect) -> Flow {
        if run_effect(&mut self.copy, self.clock, &mut self.app, effect) {
            Flow::Continue
        } else {
            Flow::Quit
        }
    }
}

/// Runs the expert screens on `bundle` (opened for writing) until the
/// expert quits. With `key` (the demo's), the screens open signed in;
/// else they ask for the owner's passphrase (or offer to make the key).
pub fn run(
    bundle: Bundle,
    clock: &Clock,
    settings: Settings,
    key: Option<crate::keyring::Unlocked>,
) -> Result<()> {
    // Key files are read once: their public parts name the expert's key
    // in the header and the dialogs. An unreadable keys folder only
    // means no key is offered.
    let keys = crate::keyring::public_keys().unwrap_or_default();
    let session = Session::load(&bundle)?.with_keys(keys);
    let mut app = App::new(session, settings);
    let mut copy = WorkingCopy::new(bundle);
    match key {
        Some(k) => copy.sign_in(k, &mut app),
        None => app.ask_for_key(),
    }
    kit::run(&mut ExpertScreen { app, copy, clock })
}
