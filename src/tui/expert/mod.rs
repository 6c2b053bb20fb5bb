//! The expert's screens: read applications, declare conflicts, score,
//! comment, recommend, export. The state ([`state`]) changes only in
//! [`App::update`] ([`update`]), which returns the [`Effect`]s the loop
//! runs ([`effects`], the only I/O); [`view`] draws it.

pub mod dialogs;
pub mod effects;
pub mod state;
pub mod strings;
pub mod update;
pub mod view;

pub use dialogs::{
    CommentEditor, ConflictWarning, Dialog, DirectionPicker, ExportDialog, ExportStep,
    ExportTarget, Help, IdentityForm, IdentityPicker, NewKeyDialog, NewKeyStep, Outcome, Recusal,
    ScopeNote, UnlockDialog,
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
        // The first frame is drawn: the copy's content check and the
        // search index may start.
        self.copy.start_content_check();
        self.app.start_search_index();
    }

    fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        let mut failed = None;
        if self.app.needs_texts() {
            // The first frame showed the list and the first application;
            // the rest of the texts come with the content check (which
            // began after that frame) before anything else is shown.
            match self.copy.applications() {
                Ok(apps) => self.app.on_texts(apps),
                Err(e) => failed = Some(e),
            }
        }
        let effects = self.app.on_event(ev);
        if let Some(e) = failed {
            self.app.texts_failed(&e);
        }
        effects
    }

    /// "saving…" (or "signing…") shows while the write runs.
    fn shows_progress(&self, effects: &[Effect]) -> bool {
        effects.iter().any(|e| {
            matches!(
                e,
                Effect::Append(_)
                    | Effect::Export(_)
                    | Effect::CheckExport(_)
                    | Effect::Unlock(_)
                    | Effect::MakeKey(_)
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
    let mut session = Session::load_brief(&bundle)?.with_keys(keys);
    // The export is offered beside the copy under its full path.
    if let Ok(full) = std::path::absolute(&session.path) {
        session.path = full;
    }
    let mut app = App::new(session, settings);
    let mut copy = WorkingCopy::new(bundle);
    match key {
        Some(k) => copy.sign_in(k, &mut app),
        None => app.ask_for_key(),
    }
    kit::run(&mut ExpertScreen { app, copy, clock })
}
