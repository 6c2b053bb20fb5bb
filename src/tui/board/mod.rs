//! The chair's board: a merged result on screen. Ranking tables per
//! direction with flags highlighted, one application's score distribution
//! per criterion and each expert's marks, and the panel statistics.
//!
//! Read-only: the board never changes the file; its one write is the
//! panel's summary as PDF beside it (the export key, `e`). It runs on the expert screens'
//! keymap (the same configuration overrides apply: list keys in the
//! tables, detail keys in an application), theme, glyphs, languages and
//! terminal guard. Key press → [`Action`] → [`Board::update`] → redraw.

pub mod national;
pub mod national_strings;
pub mod opinions;
pub mod strings;
pub mod view;

use crate::tui::ScreenBasics;
use crate::tui::kit::Basics;
use crate::tui::kit::hit::Hits;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use crossterm::event::{Event, KeyEvent};

use crate::crypto::envelope::{Envelope, MERGED_TYPE};
use crate::domain::text::inert_line;
use crate::formats::merged::{MergedApp, MergedPayload};
use crate::tui::kit::action::{Action, Cmd, Context, Wheel};
use crate::tui::kit::config::Settings;
use crate::tui::kit::scroll::{ListScroll, TextScroll};
use crate::tui::kit::{self, Flow, Paste};
use strings::BoardStrings;

pub use crate::tui::kit::{MIN_HEIGHT, MIN_WIDTH, WIDE_HEIGHT, WIDE_WIDTH};

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
    payload: MergedPayload,
    trust: Trust,
    basics: Basics,
    view: View,
    focus: Focus,
    help: bool,
    /// Index into the direction codes.
    dir: usize,
    /// Cursor in the current direction's ranking, and its first row shown.
    list: ListScroll,
    /// Scroll of the application's text.
    detail: TextScroll,
    /// Scroll of the experts view.
    experts: TextScroll,
    quit: bool,
    dirs: Vec<u32>,
    /// The merged file on screen, where the summary PDF is written beside.
    source: Option<std::path::PathBuf>,
    /// The export key was pressed: write the summary.
    print: bool,
    /// The last summary written (its path), or why not.
    message: Option<Result<String, String>>,
    /// What a click picks, laid out by the last frame.
    hits: Hits<Target>,
    /// The chair's opinion log and key, when the board may write opinions.
    desk: Option<opinions::Desk>,
    /// The opinion editor, when open.
    editor: Option<opinions::OpinionEditor>,
    /// The last opinion saved (what), or why not; shown until the next key.
    opinion_note: Option<Result<String, String>>,
}

/// What a click on the board can pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A pane of the ranking view.
    Pane(Focus),
    /// The ranking's row at this position.
    Row(usize),
}

crate::tui::kit::screen_basics!(Board);

impl Board {
    pub fn new(payload: MergedPayload, trust: Trust, settings: Settings) -> Board {
        let dirs = payload.direction_codes();
        Board {
            payload,
            trust,
            basics: Basics::new(settings),
            view: View::Ranking,
            focus: Focus::List,
            help: false,
            dir: 0,
            list: ListScroll::new(0, 10),
            detail: TextScroll::default(),
            experts: TextScroll::default(),
            quit: false,
            dirs,
            hits: Hits::default(),
            source: None,
            print: false,
            message: None,
            desk: None,
            editor: None,
            opinion_note: None,
        }
    }

    /// The board may write the panel's opinions to this desk.
    pub fn with_desk(mut self, desk: opinions::Desk) -> Board {
        self.desk = Some(desk);
        self
    }

    pub fn desk(&self) -> Option<&opinions::Desk> {
        self.desk.as_ref()
    }

    /// The opinion editor, when open.
    pub fn editor(&self) -> Option<&opinions::OpinionEditor> {
        self.editor.as_ref()
    }

    /// The last opinion saved, or why not.
    pub fn opinion_note(&self) -> Option<&Result<String, String>> {
        self.opinion_note.as_ref()
    }

    /// The panel's opinion on `app` as the board knows it: the desk's log
    /// when the board writes, else the merged file's.
    pub fn opinion_of<'a>(
        &'a self,
        app: &'a MergedApp,
    ) -> Option<&'a crate::domain::opinion::FinalOpinion> {
        match &self.desk {
            Some(d) => d.opinion(&app.id),
            None => app.opinion.as_ref(),
        }
    }

    /// Opens the editor on the current application's opinion: the saved
    /// text, else a draft built from the experts' comments.
    fn open_opinion(&mut self) {
        let Some(a) = self.current() else {
            return;
        };
        if self.desk.is_none() {
            self.opinion_note = Some(Err(self.b().opinion_read_only.to_string()));
            return;
        }
        let (id, title) = (a.id.clone(), a.title.clone());
        let saved = self.opinion_of(a).map(|o| o.text.clone());
        let lang = self.basics.settings.lang;
        let (edit, drafted) = match saved {
            Some(text) => (crate::tui::kit::editor::TextEditor::new(text), false),
            None => {
                let d = opinions::draft(&self.payload, a, lang);
                (
                    crate::tui::kit::editor::TextEditor::starting(&d, String::new()),
                    true,
                )
            }
        };
        self.editor = Some(opinions::OpinionEditor {
            app: id,
            title,
            draft: drafted.then(|| edit.text()),
            edit,
            error: None,
        });
    }

    /// Saves the editor's text when it changed (an untouched draft is
    /// saved only by an explicit save), then closes the editor if asked and
    /// the save held. The board says "saved" only once the event is on
    /// disk.
    fn save_opinion(&mut self, close: bool, explicit: bool) {
        let Some(ed) = self.editor.as_mut() else {
            return;
        };
        let text = ed.edit.text();
        let untouched_draft = ed.draft.as_deref() == Some(text.as_str());
        let changed = text != ed.edit.original && (explicit || !untouched_draft);
        if changed {
            let Some(desk) = self.desk.as_mut() else {
                return;
            };
            let stored = text.trim();
            match desk.save(&ed.app, stored) {
                Ok(seq) => {
                    ed.edit.original = text.clone();
                    ed.draft = None;
                    ed.error = None;
                    let bs = BoardStrings::of(self.basics.settings.lang);
                    let what = if stored.is_empty() {
                        crate::tui::strings::fill(bs.opinion_withdrawn, &[&inert_line(&ed.app)])
                    } else {
                        crate::tui::strings::fill(
                            bs.opinion_saved,
                            &[&inert_line(&ed.app), &seq, &desk.path().display()],
                        )
                    };
                    self.opinion_note = Some(Ok(what));
                }
                Err(e) => {
                    let bs = BoardStrings::of(self.basics.settings.lang);
                    let msg = crate::tui::strings::fill(bs.opinion_failed, &[&format!("{e:#}")]);
                    ed.error = Some(msg.clone());
                    self.opinion_note = Some(Err(msg));
                    return;
                }
            }
        } else if close && untouched_draft {
            self.opinion_note = Some(Ok(self.b().opinion_draft_dropped.to_string()));
        }
        if close {
            self.editor = None;
        }
    }

    /// A terminal event while the editor is open: keys and pastes go to
    /// it; Esc saves and closes, Ctrl-S saves, Ctrl-C saves and quits.
    fn editor_event(&mut self, ev: Event) {
        use crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                if let Some(ed) = self.editor.as_mut() {
                    ed.error = None;
                }
                if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
                    self.save_opinion(true, false);
                    if self.editor.is_none() {
                        self.quit = true;
                    }
                    return;
                }
                let Some(ed) = self.editor.as_mut() else {
                    return;
                };
                match ed.edit.key(k) {
                    crate::tui::kit::editor::EditKey::Stay => {}
                    crate::tui::kit::editor::EditKey::Save { close } => {
                        self.save_opinion(close, !close)
                    }
                }
            }
            Event::Paste(text) => {
                if let Some(ed) = self.editor.as_mut() {
                    let left_out = ed.edit.paste(&text);
                    if left_out > 0 {
                        let bs = BoardStrings::of(self.basics.settings.lang);
                        ed.error = Some(crate::tui::strings::fill(
                            bs.opinion_paste_dropped,
                            &[&left_out],
                        ));
                    }
                }
            }
            Event::Resize(width, height) => self.update(Action::Resize { width, height }),
            _ => {}
        }
    }

    /// The board of the merged file at `path` (the summary is written
    /// beside it).
    pub fn with_source(mut self, path: std::path::PathBuf) -> Board {
        self.source = Some(path);
        self
    }

    /// The last summary written (its path), or why it was not.
    pub fn message(&self) -> Option<&Result<String, String>> {
        self.message.as_ref()
    }

    /// Writes the panel's summary (PDF, in the board's language) beside
    /// the merged file as `STEM-summary.pdf`; the footer says where, or
    /// why not.
    pub fn print_summary(&mut self) {
        let r = self.write_summary().map_err(|e| format!("{e:#}"));
        self.message = Some(r.map(|p| p.display().to_string()));
    }

    fn write_summary(&self) -> Result<std::path::PathBuf> {
        let Some(src) = &self.source else {
            bail!("no file");
        };
        let stem = src
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "merged".into());
        let out = src.with_file_name(format!("{stem}-summary.pdf"));
        crate::support::fs::check_outputs(&[src], &[&out])?;
        let lang = self.basics.settings.lang;
        let mut font = crate::paper::font_for(None, lang)?;
        let mut input = crate::paper::read_summary(src, None)?;
        if input.payload != self.payload {
            bail!(
                "{}: the file changed since the board opened it; open it again",
                src.display()
            );
        }
        // What the board checked when it opened the file.
        input.trust = match &self.trust {
            Trust::Verified(id) => crate::paper::Trust::Verified(id.clone()),
            Trust::Signed(_) => crate::paper::Trust::Unchecked,
            Trust::Unsigned => crate::paper::Trust::Unsigned,
        };
        let printed = crate::paper::summary_pdf(&input, &mut font, lang)?;
        crate::paper::write_pdf(&out, &printed)?;
        Ok(out)
    }

    /// The merged result on screen.
    pub fn payload(&self) -> &MergedPayload {
        &self.payload
    }

    pub fn trust(&self) -> &Trust {
        &self.trust
    }

    pub fn view(&self) -> View {
        self.view
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// The help is open.
    pub fn help(&self) -> bool {
        self.help
    }

    /// Cursor in the current direction's ranking.
    pub fn cursor(&self) -> usize {
        self.list.selected()
    }

    /// The chair asked to quit.
    pub fn quit(&self) -> bool {
        self.quit
    }

    pub fn b(&self) -> &'static BoardStrings {
        BoardStrings::of(self.basics.settings.lang)
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
        self.ranked().get(self.list.selected()).copied()
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
                self.list.select(i);
                self.detail.set(0);
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
        if let Some(a) = self.first_action(&k, Context::Global) {
            return a;
        }
        let km = &self.basics.settings.keymap;
        if self.help {
            return match km.lookup(Context::Detail, &k) {
                Some(c @ (Cmd::Quit | Cmd::Lang | Cmd::Help | Cmd::Back)) => Some(Action::Cmd(c)),
                _ => None,
            };
        }
        match km.lookup(self.context(), &k) {
            Some(c) => Some(Action::Cmd(c)),
            // The expert's comment key writes the panel's opinion here.
            None => match km.lookup(Context::Scoring, &k) {
                Some(Cmd::Comment) if self.view == View::Ranking => Some(Action::Cmd(Cmd::Comment)),
                _ => None,
            },
        }
    }

    /// Turns a terminal event into an action and applies it.
    pub fn on_event(&mut self, ev: Event) {
        if self.editor.is_some() {
            self.editor_event(ev);
            return;
        }
        for a in kit::actions(ev, Paste::Ignore, |k| self.action_for(k)) {
            self.update(a);
        }
    }

    fn move_by(&mut self, delta: isize) {
        match (self.view, self.focus) {
            (View::Experts, _) => self.experts.by_within(delta),
            (View::Ranking, Focus::Detail) => self.detail.by_within(delta),
            (View::Ranking, Focus::List) => {
                let n = self.ranked().len();
                if n > 0 {
                    let next = (self.list.selected() as isize + delta).clamp(0, n as isize - 1);
                    self.list.select(next as usize);
                    self.detail.set(0);
                }
            }
        }
    }

    /// A click: a ranking row is picked (a second click opens it), a pane
    /// takes the keyboard; the help closes on any click.
    fn click(&mut self, col: u16, row: u16) {
        if self.help {
            self.help = false;
            return;
        }
        match self.hits.at(col, row) {
            Some(Target::Row(pos)) => {
                if pos == self.list.selected() && self.focus == Focus::List {
                    self.update(Action::Cmd(Cmd::Open));
                } else {
                    self.focus = Focus::List;
                    self.move_by(pos as isize - self.list.selected() as isize);
                }
            }
            Some(Target::Pane(f)) => self.focus = f,
            None => {}
        }
    }

    /// What a click at a position picks (drawn by the last frame).
    pub fn target_at(&self, col: u16, row: u16) -> Option<Target> {
        self.hits.at(col, row)
    }

    fn set_direction(&mut self, delta: isize) {
        let n = self.dirs.len();
        if n == 0 {
            return;
        }
        self.dir = (self.dir as isize + delta).rem_euclid(n as isize) as usize;
        self.list.select(0);
        self.list.rewind();
        self.detail.set(0);
        if self.view == View::Experts {
            self.view = View::Ranking;
        }
    }

    /// The one place state changes.
    pub fn update(&mut self, a: Action) {
        // The summary's line gives way to the hints at the next command.
        if matches!(a, Action::Cmd(_)) {
            self.message = None;
            self.opinion_note = None;
        }
        let page = self.list.rows().max(1) as isize;
        match a {
            Action::Resize { width, height } => self.basics.size = (width, height),
            Action::ForceQuit => self.quit = true,
            Action::Wheel { dir, col, row } => {
                // The pane under the pointer scrolls.
                if !self.help && self.view == View::Ranking {
                    match self.hits.at(col, row) {
                        Some(Target::Pane(f)) => self.focus = f,
                        Some(Target::Row(_)) => self.focus = Focus::List,
                        None => {}
                    }
                }
                self.move_by(if dir == Wheel::Up { -3 } else { 3 })
            }
            Action::Click { col, row } => self.click(col, row),
            Action::Cmd(c) => match c {
                Cmd::Quit => self.quit = true,
                Cmd::Export if self.source.is_some() => self.print = true,
                Cmd::Help => self.help = !self.help,
                Cmd::Lang => self.basics.settings.lang = self.basics.settings.lang.toggle(),
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
                    self.detail.set(0);
                }
                Cmd::Comment => self.open_opinion(),
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
    from_envelope(path, &text, &env, roster)
}

/// [`load`] of a file already read (`text`) and opened (`env`).
pub fn from_envelope(
    path: &Path,
    text: &str,
    env: &Envelope,
    roster: Option<&Path>,
) -> Result<(MergedPayload, Trust)> {
    let p = path.display();
    if env.payload_type != MERGED_TYPE {
        bail!(
            "{p}: not a merged result (payloadType {}); the board shows what panelist merge writes",
            inert_line(&env.payload_type)
        );
    }
    let payload: MergedPayload =
        crate::formats::read_payload(env).map_err(|e| anyhow!("{p}: {e}"))?;
    // Bounded scales and weights: the drawing does arithmetic with them.
    payload
        .rubric
        .to_rubric()
        .map_err(|m| anyhow!("{p}: payload rubric: {m}"))?;
    let signer = payload.chair.as_ref().map(|c| c.id.clone());
    let trust = trust_of(path, text, env, roster, signer)?;
    Ok((payload, trust))
}

/// How far a signed file on a board is to be trusted: verified against
/// `roster` as `panelist verify` does (refused when it does not verify),
/// else signed by `signer` as the payload names it, else an unsigned draft.
pub fn trust_of(
    path: &Path,
    text: &str,
    env: &Envelope,
    roster: Option<&Path>,
    signer: Option<String>,
) -> Result<Trust> {
    let p = path.display();
    Ok(match roster {
        Some(r) => {
            let entries = crate::import::read_roster(r)?;
            crate::verify::check_roster(&entries).map_err(|m| anyhow!("{}: {m}", r.display()))?;
            let ctx = crate::verify::Context {
                roster: &entries,
                bundle: None,
            };
            let v = crate::verify::verify_text(text, &ctx).map_err(|m| {
                anyhow!(
                    "{p}{}{}",
                    crate::tr!("：未通过校验：", ": does not verify: "),
                    inert_line(&m.message)
                )
            })?;
            Trust::Verified(v.signer)
        }
        None if env.signatures.is_empty() => Trust::Unsigned,
        None => Trust::Signed(signer.unwrap_or_default()),
    })
}

/// The board's effects: quit, or write the summary PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    PrintSummary,
    Quit,
}

impl kit::Screen for Board {
    type Effect = Effect;

    fn draw(&mut self, frame: &mut ratatui::Frame) {
        view::draw(frame, self);
    }

    fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        Board::on_event(self, ev);
        if self.quit {
            vec![Effect::Quit]
        } else if std::mem::take(&mut self.print) {
            vec![Effect::PrintSummary]
        } else {
            Vec::new()
        }
    }

    fn run_effect(&mut self, effect: Effect) -> Flow {
        match effect {
            Effect::Quit => Flow::Quit,
            Effect::PrintSummary => {
                self.print_summary();
                Flow::Continue
            }
        }
    }
}

/// Runs the board of the merged file at `path` until the chair quits.
pub fn run(
    payload: MergedPayload,
    trust: Trust,
    settings: Settings,
    path: &Path,
    desk: Option<opinions::Desk>,
) -> Result<()> {
    let mut board = Board::new(payload, trust, settings).with_source(path.to_path_buf());
    if let Some(d) = desk {
        board = board.with_desk(d);
    }
    kit::run(&mut board)
}
