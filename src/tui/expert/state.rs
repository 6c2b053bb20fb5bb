//! The state of the expert screens, what they read of it, and what is
//! derived from it. It changes only in [`App::update`] (`update.rs`); a
//! store write comes back as [`App::on_appended`], and the sheet shown on
//! screen changes only then.

use crate::tui::ScreenBasics;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ratatui::layout::Rect;

use crate::tui::kit::hit::Hits;

use super::dialogs::{Dialog, IdentityPicker};
use crate::domain::conflict::{self, Conflict};
use crate::domain::history::{Entry, Sheet, Status};
use crate::domain::text::inert_line;
use crate::domain::{Application, Catalog, Criterion, RosterEntry, Rubric};
use crate::keyring::{KeyInfo, KeyListing};
use crate::store::{self, Bundle, Identity, Meta};
use crate::tui::kit::Basics;
use crate::tui::kit::action::Context;
use crate::tui::kit::config::Settings;
use crate::tui::kit::scroll::{ListScroll, TextScroll};
use crate::tui::kit::search::Search;

pub use crate::tui::kit::{MIN_HEIGHT, MIN_WIDTH, WIDE_HEIGHT, WIDE_WIDTH};

/// What the screens show of a bundle, read once when it opens.
#[derive(Debug, Clone)]
pub struct Session {
    pub meta: Meta,
    pub catalog: Catalog,
    pub rubric: Rubric,
    /// Shared with the search index's thread.
    pub apps: std::sync::Arc<[Application]>,
    pub roster: Vec<RosterEntry>,
    pub owner: Option<Identity>,
    pub sheet: Sheet,
    pub history_size: u64,
    /// The working copy's file; the export is offered next to it.
    pub path: PathBuf,
    /// The key files of the data directory, public parts only. The loop
    /// reads them ([`Session::with_keys`]); a session loaded alone has none.
    pub keys: Vec<KeyListing>,
    /// Every application's texts are in `apps` (else only the first's:
    /// [`Session::load_brief`]).
    pub texts: bool,
}

impl Session {
    /// Reads what the screens show of `b` (no key files: see `with_keys`).
    pub fn load(b: &Bundle) -> store::Result<Session> {
        Session::with_apps(b, b.applications()?, true)
    }

    /// What the first frame shows of `b`: every application without its
    /// texts but the first one's (the one the list opens on). The loop
    /// hands the texts over once the frame is drawn ([`App::on_texts`]).
    pub fn load_brief(b: &Bundle) -> store::Result<Session> {
        let mut apps = b.applications_brief()?;
        if let Some(first) = apps.first_mut() {
            b.fill_texts(first)?;
        }
        Session::with_apps(b, apps, false)
    }

    fn with_apps(b: &Bundle, apps: Vec<Application>, texts: bool) -> store::Result<Session> {
        Ok(Session {
            path: b.path().to_path_buf(),
            keys: Vec::new(),
            meta: b.meta.clone(),
            catalog: b.catalog.clone(),
            rubric: b.rubric.clone(),
            apps: apps.into(),
            roster: b.roster()?,
            owner: b.owner()?,
            sheet: b.current()?,
            history_size: b.head()?.size,
            texts,
        })
    }

    pub fn with_keys(mut self, keys: Vec<KeyListing>) -> Session {
        self.keys = keys;
        self
    }
}

/// One application's list cells, made inert once.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub title: String,
    pub lead: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
    Scoring,
}

#[derive(Debug, Clone)]
pub enum Screen {
    Identity(IdentityPicker),
    Main,
}

/// Why an export did not happen, as the loop reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFailure {
    /// The passphrase does not open the key (its file).
    WrongPassphrase(String),
    /// The key cannot be found or read.
    Key(String),
    /// The file could not be built or written.
    Export(String),
    /// A file appeared at the output path after it was looked at, and the
    /// expert had not agreed to replace one (the message).
    Appeared(String),
}

/// Which key stands for the working copy's owner, for the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKey<'a> {
    /// No working copy owner, or no key file of that id.
    Missing,
    /// A key file of that id that cannot be used.
    Unusable(&'a str),
    /// The copy was claimed with another key (its key id).
    Other(&'a KeyInfo, &'a str),
    Ready(&'a KeyInfo),
}

/// Where the owner's signing key stands. The key itself is held by the
/// loop (`effects::WorkingCopy`), never here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// Not unlocked yet: a change key opens the passphrase (or new-key)
    /// dialog instead of changing anything.
    Locked,
    /// Unlocked: every change is signed when it is saved.
    Unlocked,
    /// The copy was refused for scoring (the one-line reason): read-only.
    Refused(String),
}

/// Why the key was not unlocked, as the loop reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnlockFailure {
    /// The passphrase does not open the key (its file): ask again.
    WrongPassphrase(String),
    /// The key cannot be found or read.
    Key(String),
    /// The key opened, but the working copy may not be scored with it.
    Refused(String),
}

/// A key made on the screens: its public part, and its roster entry for
/// the chair (JSON) with the file it was written to, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMade {
    pub listing: KeyListing,
    pub roster_json: String,
    pub roster_file: Result<PathBuf, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing written in this session.
    Idle,
    /// A write is under way.
    Pending,
    /// The last write returned; its seq.
    Saved(u64),
    /// The last write failed.
    Failed(String),
}

/// A change just saved, shown where it happened until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// The application (index into the session's applications).
    pub app: usize,
    pub what: Saved,
}

/// What of an application a saved change touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// One criterion's score (its key).
    Criterion(String),
    Comment,
    Recommend,
    Recusal,
}

/// Screen areas of the last frame, for the mouse.
#[derive(Debug, Clone, Default)]
pub struct Areas {
    pub list: Rect,
    pub list_rows: u16,
    pub detail: Rect,
    pub detail_rows: u16,
    pub scoring: Rect,
    /// What a click picks, where.
    pub hits: Hits<Target>,
}

/// What a click on the expert screens can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The list's row at this position of `visible`.
    Row(usize),
    /// A pane (the list, the application's text, the scoring panel).
    Pane(Focus),
    /// A criterion of the scoring panel.
    Criterion(usize),
    /// A key shown in a dialog (its "button"): clicking presses it.
    Key(crossterm::event::KeyEvent),
    /// Entry `n` of the direction picker (0: all).
    Direction(usize),
}

pub struct App {
    // The bundle, and what is derived from it.
    pub(super) session: Session,
    pub(super) rows: Vec<Row>,
    pub(super) by_id: HashMap<String, usize>,
    pub(super) statuses: Vec<Status>,
    pub(super) counts: [usize; 4],
    pub(super) conflicts: Vec<Option<Conflict>>,
    /// Applications whose possible conflict the expert waved off this session.
    pub(super) cleared: BTreeSet<usize>,
    pub(super) index: Search,
    // The screen.
    pub(super) basics: Basics,
    pub(super) screen: Screen,
    pub(super) dialog: Option<Dialog>,
    pub(super) save: SaveState,
    pub(super) signing: Signing,
    /// A one-line note for the footer until the next key: (text, is_error).
    pub(super) message: Option<(String, bool)>,
    /// Laid out by the last frame.
    pub(super) areas: Areas,
    /// In a narrow terminal: the application is shown instead of the list.
    pub(super) app_view: bool,
    pub(super) focus: Focus,
    // The list: what it shows and where its cursor is.
    pub(super) query: String,
    pub(super) searching: bool,
    pub(super) dir_filter: Option<u32>,
    pub(super) status_filter: Option<Status>,
    pub(super) hits: Vec<usize>,
    /// Indices into `session.apps` of the rows the list shows, in order.
    pub(super) visible: Vec<usize>,
    /// The cursor's position in `visible`, and the first row shown.
    pub(super) list: ListScroll,
    // The application and its scoring.
    pub(super) detail: TextScroll,
    /// The focused criterion.
    pub(super) crit: usize,
    /// Digits typed for the focused criterion, not yet set.
    pub(super) digits: String,
    /// The change saved last, until the next key.
    pub(super) flash: Option<Flash>,
}

/// `f` of every item, in order, over the cores when there are many (a
/// bundle opens on its list rows and conflict checks: 10,000 of each).
fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    crate::support::par::map_runs(items, 2_000, |c| c.iter().map(&f).collect())
}

impl App {
    pub fn new(session: Session, settings: Settings) -> App {
        let rows = par_map(&session.apps, |a| Row {
            id: inert_line(&a.id),
            title: inert_line(&a.title),
            lead: inert_line(&a.lead_unit.name),
        });
        let by_id = session
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect();
        let index = Search::new(session.apps.clone(), &session.catalog);
        let screen = if session.owner.is_some() {
            Screen::Main
        } else {
            Screen::Identity(IdentityPicker::default())
        };
        let mut app = App {
            rows,
            by_id,
            statuses: Vec::new(),
            counts: [0; 4],
            conflicts: Vec::new(),
            index,
            basics: Basics::new(settings),
            screen,
            app_view: false,
            focus: Focus::List,
            query: String::new(),
            searching: false,
            dir_filter: None,
            status_filter: None,
            hits: Vec::new(),
            visible: Vec::new(),
            list: ListScroll::default(),
            detail: TextScroll::default(),
            crit: 0,
            digits: String::new(),
            flash: None,
            dialog: None,
            save: SaveState::Idle,
            signing: Signing::Locked,
            message: None,
            cleared: BTreeSet::new(),
            areas: Areas::default(),
            session,
        };
        app.recount();
        app.find_conflicts();
        app.hits = app.index.rank("");
        app.refilter(false);
        app
    }

    // ----- Reading -----

    /// What the screens show of the bundle.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session, to set up a state (the tests' fixed paths and keys).
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The identity picker or the main screen.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The open dialog.
    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// Indices into the session's applications of the rows the list
    /// shows, in order.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// The cursor's position in [`App::visible`].
    pub fn selected(&self) -> usize {
        self.list.selected()
    }

    /// In a narrow terminal: the application is shown instead of the list.
    pub fn app_view(&self) -> bool {
        self.app_view
    }

    /// The search query is being typed.
    pub fn searching(&self) -> bool {
        self.searching
    }

    pub fn dir_filter(&self) -> Option<u32> {
        self.dir_filter
    }

    pub fn status_filter(&self) -> Option<Status> {
        self.status_filter
    }

    /// Where the last write stands.
    pub fn save(&self) -> SaveState {
        self.save.clone()
    }

    /// Where the owner's signing key stands.
    pub fn signing(&self) -> &Signing {
        &self.signing
    }

    /// The key's state, to set up a state (the tests' screens as they are
    /// once the key is unlocked; only the loop's results change it else).
    pub fn signing_mut(&mut self) -> &mut Signing {
        &mut self.signing
    }

    /// The footer's note until the next key: (text, is_error).
    pub fn message(&self) -> Option<&(String, bool)> {
        self.message.as_ref()
    }

    /// The application under the cursor (index into `session.apps`).
    pub fn current(&self) -> Option<usize> {
        self.visible.get(self.list.selected()).copied()
    }

    pub fn entry(&self, i: usize) -> Option<&Entry> {
        self.session
            .apps
            .get(i)
            .and_then(|a| self.session.sheet.entry(&a.id))
    }

    pub fn status(&self, i: usize) -> Status {
        self.statuses.get(i).copied().unwrap_or(Status::Todo)
    }

    /// How many applications stand where: the one count the header, the
    /// status filter and the export dialog all show.
    pub fn count(&self, st: Status) -> usize {
        self.counts[st as usize]
    }

    /// The statuses in the order every count line shows them.
    pub const STATUS_ORDER: [Status; 4] = [
        Status::Complete,
        Status::Draft,
        Status::Recused,
        Status::Todo,
    ];

    /// The digits typed for the focused criterion, not saved yet.
    pub fn pending(&self) -> &str {
        &self.digits
    }

    /// The change saved last, shown where it happened until the next key.
    pub fn flash(&self) -> Option<&Flash> {
        self.flash.as_ref()
    }

    /// The focused criterion (index into the rubric's criteria).
    pub fn criterion_index(&self) -> usize {
        self.crit
    }

    /// The scoring strings of the screen's language.
    pub fn extra(&self) -> &'static super::strings::ScoringStrings {
        super::strings::ScoringStrings::of(crate::tui::ScreenBasics::lang(self))
    }

    /// Puts the criterion cursor where an application opens: on its first
    /// unscored criterion, or the first one when all are scored.
    pub(super) fn first_criterion(&mut self) {
        let entry = self.current().and_then(|i| self.entry(i));
        self.crit = self
            .session
            .rubric
            .criteria
            .iter()
            .position(|c| entry.is_none_or(|e| !e.scores.contains_key(&c.key)))
            .unwrap_or(0);
    }

    /// The key file of the working copy's owner, and whether it can sign.
    pub fn owner_key(&self) -> OwnerKey<'_> {
        let Some(o) = &self.session.owner else {
            return OwnerKey::Missing;
        };
        match self.session.keys.iter().find(|k| k.id == o.id) {
            None => OwnerKey::Missing,
            Some(KeyListing { public: Err(e), .. }) => OwnerKey::Unusable(e),
            Some(KeyListing {
                public: Ok(info), ..
            }) => match &o.key_id {
                Some(claimed) if *claimed != info.key_id => OwnerKey::Other(info, claimed),
                _ => OwnerKey::Ready(info),
            },
        }
    }

    /// The key offered first in the identity picker: the only key file of
    /// the data directory, when there is exactly one and it reads.
    pub fn offered_key(&self) -> Option<&KeyInfo> {
        match self.session.keys.as_slice() {
            [
                KeyListing {
                    public: Ok(info), ..
                },
            ] => Some(info),
            _ => None,
        }
    }

    /// Applications neither complete nor recused, in bundle order.
    pub fn open_apps(&self) -> Vec<usize> {
        (0..self.session.apps.len())
            .filter(|&i| matches!(self.status(i), Status::Todo | Status::Draft))
            .collect()
    }

    /// Where the export goes unless the expert says otherwise: next to the
    /// working copy, `<expert-id>-<bundle-id prefix>.json`.
    pub fn default_export_path(&self) -> PathBuf {
        let safe = |s: &str, n: usize| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .take(n)
                .collect()
        };
        let id = self
            .session
            .owner
            .as_ref()
            .map(|o| safe(&o.id, 32))
            .unwrap_or_default();
        let name = format!("{id}-{}.json", safe(&self.session.meta.bundle_id, 8));
        match self.session.path.parent() {
            Some(d) if d != Path::new("") => d.join(name),
            _ => PathBuf::from(name),
        }
    }

    pub fn conflict(&self, i: usize) -> Option<&Conflict> {
        self.conflicts.get(i).and_then(|c| c.as_ref())
    }

    pub fn criterion(&self) -> Option<&Criterion> {
        self.session.rubric.criteria.get(self.crit)
    }

    /// The keymap context a key press lands in.
    pub fn context(&self) -> Context {
        match self.focus {
            _ if !self.is_wide() && !self.app_view => Context::List,
            Focus::List => Context::List,
            Focus::Detail => Context::Detail,
            Focus::Scoring => Context::Scoring,
        }
    }

    /// Starts building the search index on its own thread; the screens do
    /// it once their first frame is drawn and the texts are in (the first
    /// search waits for it).
    pub fn start_search_index(&mut self) {
        if self.session.texts {
            self.index.start();
        }
    }

    /// The screen opened without the applications' texts (but the first's).
    pub fn needs_texts(&self) -> bool {
        !self.session.texts
    }

    /// The texts could not be read (the one-line reason): the screens go
    /// on with the list, and say so.
    pub fn texts_failed(&mut self, why: &str) {
        self.session.texts = true;
        self.message = Some((
            crate::tui::kit::strings::fill(self.s().texts_unreadable, &[&why]),
            true,
        ));
    }

    /// Every application with its texts, for a session opened brief
    /// ([`Session::load_brief`]); the search index starts on them. Ignored
    /// unless they are the same applications in the same order.
    pub fn on_texts(&mut self, apps: Vec<Application>) {
        let same = apps.len() == self.session.apps.len()
            && apps
                .iter()
                .zip(self.session.apps.iter())
                .all(|(a, b)| a.id == b.id);
        if !same || self.session.texts {
            return;
        }
        self.session.apps = apps.into();
        self.session.texts = true;
        self.index = Search::new(self.session.apps.clone(), &self.session.catalog);
        self.index.start();
    }

    /// Char indices of the search query in a displayed field.
    pub fn highlights(&self, field: &str) -> Vec<usize> {
        if self.query.is_empty() {
            Vec::new()
        } else {
            self.index.indices(field, &self.query)
        }
    }

    pub(super) fn needs_conflict_decision(&self, i: usize) -> bool {
        self.conflict(i).is_some() && !self.cleared.contains(&i) && self.status(i) == Status::Todo
    }

    // ----- Derived state -----

    pub(super) fn recount(&mut self) {
        let rubric = &self.session.rubric;
        self.statuses = self
            .session
            .apps
            .iter()
            .map(|a| {
                self.session
                    .sheet
                    .entry(&a.id)
                    .map(|e| e.status(rubric))
                    .unwrap_or(Status::Todo)
            })
            .collect();
        self.counts = [0; 4];
        for s in &self.statuses {
            self.counts[*s as usize] += 1;
        }
    }

    pub(super) fn find_conflicts(&mut self) {
        self.conflicts = match &self.session.owner {
            Some(o) if !o.org.trim().is_empty() => {
                let org = conflict::Org::new(&o.org);
                par_map(&self.session.apps, |a| conflict::find_for(&org, a))
            }
            _ => vec![None; self.session.apps.len()],
        };
    }

    /// Recomputes the visible rows from the hits and the filters. With
    /// `keep`, the cursor stays on the same application when it is still
    /// shown, else at the same position.
    pub(super) fn refilter(&mut self, keep: bool) {
        let before = self.current();
        let pos = self.list.selected();
        let dirs = &self.session.apps;
        self.visible = self
            .hits
            .iter()
            .copied()
            .filter(|&i| {
                self.dir_filter.is_none_or(|d| dirs[i].direction == Some(d))
                    && self
                        .status_filter
                        .is_none_or(|s| self.statuses.get(i).copied() == Some(s))
            })
            .collect();
        let selected = if keep {
            before
                .and_then(|b| self.visible.iter().position(|&i| i == b))
                .unwrap_or(pos.min(self.visible.len().saturating_sub(1)))
        } else {
            0
        };
        self.list.select(selected);
        if self.current() != before {
            self.detail.set(0);
            self.left_application();
            self.first_criterion();
        }
    }
}
