//! The replay screen's state and the one place it changes:
//! [`ReplayApp::update`]. Nothing here does I/O; the source was read
//! before the screen opened.

use crate::tui::ScreenBasics;
use crate::tui::kit::Basics;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use super::filter::{Filter, FilterError};
use super::source::{History, Source};
use crate::domain::history::{Sheet, Status};
use crate::tui::action::{Action, Cmd, Context, Wheel};
use crate::tui::config::Settings;
use crate::tui::kit::frame::{HelpKey, HelpScroll};
use crate::tui::kit::hit::Hits;
use crate::tui::kit::scroll::ListScroll;
use crate::tui::kit::{self, Paste};
use crate::tui::strings::fill;

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Timeline,
    Sheet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    Help {
        scroll: HelpScroll,
    },
    /// The filter being typed, and what is wrong with it.
    Filter {
        text: String,
        error: Option<String>,
    },
    /// The application picker: a query over ids and titles, the cursor
    /// among the matches.
    Apps {
        query: String,
        cursor: usize,
    },
}

/// One application's own history on the timeline, and the filter to go
/// back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppView {
    pub app: usize,
    saved: (Filter, String),
}

pub use crate::tui::kit::Flow;

/// The moment the sheet shows: how many events are applied, and the sheet
/// they give. The two change together.
pub(super) struct Moment {
    pub(super) applied: usize,
    pub(super) sheet: Sheet,
}

pub struct ReplayApp {
    // The file, read once.
    pub(super) src: Source,
    pub(super) history: History,
    /// Events per application (same order as `src.apps`).
    pub(super) counts: Vec<usize>,
    // The screen.
    pub(super) basics: Basics,
    pub(super) focus: Pane,
    pub(super) dialog: Option<Dialog>,
    // The timeline: what it shows and where its cursor is.
    pub(super) filter: Filter,
    /// The filter as typed.
    pub(super) filter_text: String,
    pub(super) app_view: Option<AppView>,
    /// Indices into `src.events` the timeline shows, in order.
    pub(super) visible: Vec<usize>,
    /// The timeline's cursor (a position in `visible`) and first row shown.
    pub(super) timeline: ListScroll,
    // The sheet at the moment.
    pub(super) at: Moment,
    /// The sheet's cursor (over `src.apps`) and first row shown.
    pub(super) sheet_rows: ListScroll,
    /// What a click picks, laid out by the last frame.
    pub(super) hits: Hits<Target>,
}

/// What a click on the replay screen can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Pane(Pane),
    /// The timeline's row at this position of `visible`.
    Event(usize),
    /// The sheet's row of this application.
    SheetRow(usize),
}

crate::tui::kit::screen_basics!(ReplayApp);

impl ReplayApp {
    pub fn new(src: Source, settings: Settings) -> ReplayApp {
        let history = History::new(&src);
        let n = src.events.len();
        let by_id: std::collections::HashMap<&str, usize> = src
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let mut counts = vec![0; src.apps.len()];
        for e in &src.events {
            if let Some(&i) = by_id.get(e.change.app()) {
                counts[i] += 1;
            }
        }
        drop(by_id);
        let sheet = history.sheet_at(&src, &Sheet::default(), 0, n);
        let mut app = ReplayApp {
            history,
            basics: Basics::new(settings),
            focus: Pane::Timeline,
            filter: Filter::default(),
            filter_text: String::new(),
            app_view: None,
            visible: (0..n).collect(),
            timeline: ListScroll::new(n.saturating_sub(1), 10),
            at: Moment { applied: n, sheet },
            sheet_rows: ListScroll::new(0, 10),
            hits: Hits::default(),
            dialog: None,
            counts,
            src,
        };
        app.follow_row();
        app
    }

    // ----- Reading -----

    /// The history on screen.
    pub fn src(&self) -> &Source {
        &self.src
    }

    pub fn focus(&self) -> Pane {
        self.focus
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    /// The application whose own history the timeline shows.
    pub fn app_view(&self) -> Option<&AppView> {
        self.app_view.as_ref()
    }

    /// Indices into `src().events` the timeline shows, in order.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// The timeline's cursor: a position in [`ReplayApp::visible`].
    pub fn cursor(&self) -> usize {
        self.timeline.selected()
    }

    /// How many events are applied: the moment the sheet shows.
    pub fn moment(&self) -> usize {
        self.at.applied
    }

    /// The score sheet at the moment.
    pub fn sheet(&self) -> &Sheet {
        &self.at.sheet
    }

    /// The sheet's cursor, over `src().apps`.
    pub fn row(&self) -> usize {
        self.sheet_rows.selected()
    }

    pub fn context(&self) -> Context {
        match self.focus {
            Pane::Timeline => Context::Timeline,
            Pane::Sheet => Context::Sheet,
        }
    }

    /// The event the sheet stands after (index into `src.events`).
    pub fn moment_event(&self) -> Option<usize> {
        self.at.applied.checked_sub(1)
    }

    /// Application `i`'s status on the sheet at the moment.
    pub fn status(&self, i: usize) -> Status {
        self.src
            .apps
            .get(i)
            .and_then(|a| self.at.sheet.entry(&a.id))
            .map(|e| e.status(&self.src.rubric))
            .unwrap_or(Status::Todo)
    }

    /// The applications the picker lists for `query`.
    pub fn app_matches(&self, query: &str) -> Vec<usize> {
        let q = query.trim().to_lowercase();
        (0..self.src.apps.len())
            .filter(|&i| {
                let a = &self.src.apps[i];
                q.is_empty() || a.id.to_lowercase().contains(&q) || a.title.contains(query.trim())
            })
            .collect()
    }

    // ----- Input -----

    pub fn on_event(&mut self, ev: Event) -> Flow {
        for a in kit::actions(ev, Paste::Printable, |k| self.action_for(k)) {
            if self.update(a) == Flow::Quit {
                return Flow::Quit;
            }
        }
        Flow::Continue
    }

    pub fn action_for(&self, k: KeyEvent) -> Option<Action> {
        if let Some(a) = self.first_action(&k, Context::Replay) {
            return a;
        }
        if self.dialog.is_some() {
            return Some(Action::Key(k));
        }
        self.basics
            .settings
            .keymap
            .lookup(self.context(), &k)
            .map(Action::Cmd)
    }

    pub fn update(&mut self, a: Action) -> Flow {
        match a {
            Action::Resize { width, height } => self.basics.size = (width, height),
            Action::ForceQuit => return Flow::Quit,
            Action::Click { col, row } => self.click(col, row),
            Action::Wheel { dir, col, row } => {
                let d = if dir == Wheel::Up { -3 } else { 3 };
                // The pane under the pointer scrolls.
                if self.dialog.is_none() {
                    match self.hits.at(col, row) {
                        Some(Target::Pane(p)) => self.focus = p,
                        Some(Target::Event(_)) => self.focus = Pane::Timeline,
                        Some(Target::SheetRow(_)) => self.focus = Pane::Sheet,
                        None => {}
                    }
                }
                match (&mut self.dialog, self.focus) {
                    (Some(Dialog::Help { scroll }), _) => scroll.wheel(d),
                    (Some(_), _) => {}
                    (None, Pane::Timeline) => self.step(d),
                    (None, Pane::Sheet) => self.move_row(d),
                }
            }
            Action::Key(k) => self.dialog_key(k),
            Action::Cmd(c) => return self.command(c),
            Action::Digit(_) | Action::DigitBackspace => {}
        }
        Flow::Continue
    }

    /// A click: a row of the timeline or the sheet is picked (a second
    /// click on it opens its application's history), a pane takes the
    /// keyboard. Dialogs take only keys.
    fn click(&mut self, col: u16, row: u16) {
        if self.dialog.is_some() {
            return;
        }
        match self.hits.at(col, row) {
            Some(Target::Pane(p)) => self.focus = p,
            Some(Target::Event(pos)) => {
                if self.focus == Pane::Timeline && pos == self.timeline.selected() {
                    self.command(Cmd::Open);
                } else {
                    self.focus = Pane::Timeline;
                    self.step(pos as isize - self.timeline.selected() as isize);
                }
            }
            Some(Target::SheetRow(i)) => {
                if self.focus == Pane::Sheet && i == self.sheet_rows.selected() {
                    self.command(Cmd::Open);
                } else {
                    self.focus = Pane::Sheet;
                    self.move_row(i as isize - self.sheet_rows.selected() as isize);
                }
            }
            None => {}
        }
    }

    /// What a click at a position picks (drawn by the last frame).
    pub fn target_at(&self, col: u16, row: u16) -> Option<Target> {
        self.hits.at(col, row)
    }

    fn command(&mut self, c: Cmd) -> Flow {
        let page = |rows: usize| (rows.max(2) as isize) - 1;
        let (tl_rows, sheet_rows) = (self.timeline.rows(), self.sheet_rows.rows());
        match c {
            Cmd::Quit => return Flow::Quit,
            Cmd::Help => {
                self.dialog = Some(Dialog::Help {
                    scroll: HelpScroll::default(),
                })
            }
            Cmd::Lang => self.basics.settings.lang = self.basics.settings.lang.toggle(),
            Cmd::FocusNext | Cmd::FocusPrev => {
                self.focus = match self.focus {
                    Pane::Timeline => Pane::Sheet,
                    Pane::Sheet => Pane::Timeline,
                }
            }
            Cmd::Back => {
                if self.app_view.is_some() {
                    self.leave_app_view();
                } else if self.focus == Pane::Sheet && !self.is_wide() {
                    self.focus = Pane::Timeline;
                }
            }
            Cmd::Filter | Cmd::Search => {
                self.dialog = Some(Dialog::Filter {
                    text: self.filter_text.clone(),
                    error: None,
                })
            }
            Cmd::ClearFilters => {
                self.filter = Filter::default();
                self.filter_text.clear();
                self.app_view = None;
                self.refilter();
            }
            Cmd::AppHistory => {
                self.dialog = Some(Dialog::Apps {
                    query: String::new(),
                    cursor: self.sheet_rows.selected(),
                })
            }
            Cmd::Earlier => self.step(-1),
            Cmd::Later => self.step(1),
            Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown | Cmd::Top | Cmd::Bottom => {
                let (d, rows) = match self.focus {
                    Pane::Timeline => (1, tl_rows),
                    Pane::Sheet => (1, sheet_rows),
                };
                let n: isize = match c {
                    Cmd::Up => -d,
                    Cmd::Down => d,
                    Cmd::PageUp => -page(rows),
                    Cmd::PageDown => page(rows),
                    Cmd::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                match self.focus {
                    Pane::Timeline => self.step(n),
                    Pane::Sheet => self.move_row(n),
                }
            }
            Cmd::Open => {
                let app = match self.focus {
                    Pane::Timeline => self
                        .visible
                        .get(self.timeline.selected())
                        .and_then(|&i| self.src.events.get(i))
                        .and_then(|e| self.src.app_index(e.change.app())),
                    Pane::Sheet => (self.sheet_rows.selected() < self.src.apps.len())
                        .then_some(self.sheet_rows.selected()),
                };
                if let Some(i) = app {
                    self.open_app(i);
                }
            }
            // The expert screens' commands.
            _ => {}
        }
        Flow::Continue
    }

    /// Moves the timeline cursor by `d` rows and the moment with it.
    pub fn step(&mut self, d: isize) {
        if self.visible.is_empty() {
            return;
        }
        let max = self.visible.len() - 1;
        self.timeline
            .select(self.timeline.selected().saturating_add_signed(d).min(max));
        self.set_moment(self.visible[self.timeline.selected()] + 1);
        self.follow_row();
    }

    fn move_row(&mut self, d: isize) {
        let n = self.src.apps.len();
        if n > 0 {
            self.sheet_rows.select(
                self.sheet_rows
                    .selected()
                    .saturating_add_signed(d)
                    .min(n - 1),
            );
        }
    }

    fn set_moment(&mut self, m: usize) {
        if m != self.at.applied {
            self.at.sheet = self
                .history
                .sheet_at(&self.src, &self.at.sheet, self.at.applied, m);
            self.at.applied = m;
        }
    }

    /// The sheet's cursor goes to the application the moment's event
    /// touched.
    fn follow_row(&mut self) {
        if let Some(i) = self
            .moment_event()
            .and_then(|k| self.src.events.get(k))
            .and_then(|e| self.src.app_index(e.change.app()))
        {
            self.sheet_rows.select(i);
        }
    }

    /// Recomputes the visible events; the cursor goes to the last one at
    /// or before the moment (else the first), and the moment follows it.
    fn refilter(&mut self) {
        let only = self
            .app_view
            .as_ref()
            .and_then(|v| self.src.apps.get(v.app))
            .map(|a| a.id.clone());
        self.visible = self
            .src
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| match &only {
                Some(id) => e.change.app() == id,
                None => self.filter.matches(e, &self.basics.settings.zone),
            })
            .map(|(i, _)| i)
            .collect();
        if self.visible.is_empty() {
            self.timeline.select(0);
            return;
        }
        self.timeline.select(
            self.visible
                .iter()
                .rposition(|&i| i < self.at.applied)
                .unwrap_or(0),
        );
        self.set_moment(self.visible[self.timeline.selected()] + 1);
    }

    /// Shows application `i`'s own history.
    pub fn open_app(&mut self, i: usize) {
        let saved = match self.app_view.take() {
            Some(v) => v.saved,
            None => (self.filter.clone(), self.filter_text.clone()),
        };
        self.app_view = Some(AppView { app: i, saved });
        self.sheet_rows.select(i);
        self.focus = Pane::Timeline;
        self.refilter();
    }

    fn leave_app_view(&mut self) {
        if let Some(v) = self.app_view.take() {
            self.sheet_rows.select(v.app);
            (self.filter, self.filter_text) = v.saved;
            self.refilter();
        }
    }

    /// Applies a typed filter (leaving an application's history).
    pub fn set_filter(&mut self, text: &str) -> Result<(), FilterError> {
        let f = Filter::parse(text, &self.src.rubric)?;
        self.filter = f;
        self.filter_text = text.trim().to_string();
        self.app_view = None;
        self.refilter();
        Ok(())
    }

    fn filter_error(&self, e: &FilterError) -> String {
        let s = self.s();
        let w = |t: &str, v: &str| fill(t, &[&crate::domain::text::inert_line(v)]);
        match e {
            FilterError::Unknown(v) => w(s.filter_unknown, v),
            FilterError::Empty(v) => w(s.filter_empty, v),
            FilterError::BadType(v) => w(s.filter_bad_type, v),
            FilterError::BadCrit(v) => w(s.filter_bad_crit, v),
            FilterError::BadTime(v) => w(s.filter_bad_time, v),
            FilterError::BadSeq(v) => w(s.filter_bad_seq, v),
        }
    }

    fn dialog_key(&mut self, k: KeyEvent) {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let typed = |k: &KeyEvent| match k.code {
            KeyCode::Char(c) if !ctrl && !k.modifiers.contains(KeyModifiers::ALT) => Some(c),
            _ => None,
        };
        let lang_key = self.basics.settings.keymap.lookup(Context::Replay, &k) == Some(Cmd::Lang);
        let matches = match &self.dialog {
            Some(Dialog::Apps { query, .. }) => self.app_matches(query),
            _ => Vec::new(),
        };
        match &mut self.dialog {
            None => {}
            Some(Dialog::Help { scroll }) => match scroll.key(&k) {
                HelpKey::Close => self.dialog = None,
                HelpKey::Other if lang_key => {
                    self.basics.settings.lang = self.basics.settings.lang.toggle()
                }
                HelpKey::Scrolled | HelpKey::Other => {}
            },
            Some(Dialog::Filter { text, error }) => match k.code {
                KeyCode::Esc => self.dialog = None,
                KeyCode::Enter => {
                    let t = text.clone();
                    match self.set_filter(&t) {
                        Ok(()) => self.dialog = None,
                        Err(e) => {
                            let msg = self.filter_error(&e);
                            if let Some(Dialog::Filter { error, .. }) = &mut self.dialog {
                                *error = Some(msg);
                            }
                        }
                    }
                }
                KeyCode::Backspace => {
                    text.pop();
                    *error = None;
                }
                KeyCode::Char('u') if ctrl => {
                    text.clear();
                    *error = None;
                }
                _ => {
                    if let Some(c) = typed(&k) {
                        text.push(c);
                        *error = None;
                    }
                }
            },
            Some(Dialog::Apps { query, cursor }) => {
                let n = matches.len();
                match k.code {
                    KeyCode::Esc => self.dialog = None,
                    KeyCode::Up => *cursor = cursor.saturating_sub(1),
                    KeyCode::Down => *cursor = (*cursor + 1).min(n.saturating_sub(1)),
                    KeyCode::PageUp => *cursor = cursor.saturating_sub(10),
                    KeyCode::PageDown => *cursor = (*cursor + 10).min(n.saturating_sub(1)),
                    KeyCode::Enter => {
                        let pick = matches.get(*cursor).copied();
                        self.dialog = None;
                        if let Some(i) = pick {
                            self.open_app(i);
                        }
                    }
                    KeyCode::Backspace => {
                        query.pop();
                        *cursor = 0;
                    }
                    KeyCode::Char('u') if ctrl => {
                        query.clear();
                        *cursor = 0;
                    }
                    _ => {
                        if let Some(c) = typed(&k) {
                            query.push(c);
                            *cursor = 0;
                        }
                    }
                }
            }
        }
    }
}
