//! The expert screens' one place of change: a terminal event becomes an
//! [`Action`], [`App::update`] applies it and returns the [`Effect`]s for
//! the loop; the loop's results come back through `on_appended`,
//! `on_claimed` and `on_exported`. Nothing here does I/O.

mod mouse;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use super::dialogs::{
    CommentEditor, ConflictWarning, Dialog, DirectionPicker, ExportDialog, Help, NewKeyDialog,
    NewKeyStep, Outcome, Recusal, ScopeNote, UnlockDialog,
};
use super::effects::Effect;
use super::state::{
    App, ExportFailure, Flash, Focus, KeyMade, OwnerKey, SaveState, Saved, Screen, Signing,
    UnlockFailure,
};
use crate::domain::history::{Change, Event as HistoryEvent, Status};
use crate::domain::text::inert_line;
use crate::export::ExportSummary;
use crate::store::Identity;
use crate::tui::ScreenBasics;
use crate::tui::kit::action::{Action, Cmd, Context, Wheel};
use crate::tui::kit::strings::{Strings, fill};
use crate::tui::kit::{self, Paste};

impl App {
    // ----- Input -----

    /// Turns a terminal event into actions and applies them.
    pub fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        // A paste into the comment editor goes in whole, line breaks kept.
        if let (Event::Paste(text), Some(Dialog::Comment(c))) = (&ev, &mut self.dialog) {
            let left_out = c.paste(text);
            self.message =
                (left_out > 0).then(|| (fill(self.extra().comment_refused, &[&left_out]), true));
            return Vec::new();
        }
        let actions = kit::actions(ev, Paste::Keys, |k| self.action_for(k));
        actions.into_iter().flat_map(|a| self.update(a)).collect()
    }

    /// What a key means here.
    pub fn action_for(&self, k: KeyEvent) -> Option<Action> {
        if let Some(a) = self.first_action(&k, Context::Global) {
            return a;
        }
        if matches!(self.screen, Screen::Identity(_)) || self.dialog.is_some() || self.searching {
            return Some(Action::Key(k));
        }
        let ctx = self.context();
        if ctx == Context::Scoring
            && !k
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            if let KeyCode::Char(c @ '0'..='9') = k.code {
                return Some(Action::Digit(c as u8 - b'0'));
            }
            if k.code == KeyCode::Backspace && !self.digits.is_empty() {
                return Some(Action::DigitBackspace);
            }
        }
        self.basics.settings.keymap.lookup(ctx, &k).map(Action::Cmd)
    }

    /// The one place state changes.
    pub fn update(&mut self, a: Action) -> Vec<Effect> {
        if !matches!(a, Action::Resize { .. } | Action::Wheel { .. }) {
            self.message = None;
            self.flash = None;
        }
        match a {
            Action::Resize { width, height } => {
                self.basics.size = (width, height);
                // Narrow: the pane with the keyboard is the one on screen.
                if !self.is_wide() {
                    self.app_view = self.focus != Focus::List;
                }
                Vec::new()
            }
            Action::ForceQuit => {
                // A value being typed is not a decision: it is not saved.
                self.digits.clear();
                let mut out = Vec::new();
                if let Some(Dialog::Comment { .. }) = &self.dialog {
                    out.extend(self.save_comment(true));
                }
                out.push(Effect::Quit);
                out
            }
            Action::Wheel { dir, col, row } => {
                self.wheel(dir, col, row);
                Vec::new()
            }
            Action::Click { col, row } => self.click(col, row),
            Action::Key(k) => self.key(k),
            Action::Digit(d) => self.digit(d),
            Action::DigitBackspace => {
                self.digits.pop();
                Vec::new()
            }
            Action::Cmd(c) if self.digits.is_empty() => self.command(c),
            Action::Cmd(c) => self.command_while_typing(c),
        }
    }

    fn key(&mut self, k: KeyEvent) -> Vec<Effect> {
        if let Screen::Identity(_) = self.screen {
            return self.identity_key(k);
        }
        if self.dialog.is_some() {
            return self.dialog_key(k);
        }
        if self.searching {
            self.search_key(k);
        }
        Vec::new()
    }

    fn wheel(&mut self, dir: Wheel, col: u16, row: u16) {
        let d: isize = if dir == Wheel::Up { -3 } else { 3 };
        if let Some(Dialog::Help(h)) = &mut self.dialog {
            h.wheel(d);
            return;
        }
        if self.dialog.is_some() || !matches!(self.screen, Screen::Main) {
            return;
        }
        let pos = ratatui::layout::Position::new(col, row);
        let (in_list, in_detail) = (
            self.areas.list.contains(pos),
            self.areas.detail.contains(pos),
        );
        if in_list {
            self.move_selection(d);
        } else if in_detail {
            self.scroll_detail(d);
        }
    }

    // ----- Commands -----

    /// A command while a value is typed: only Enter, Tab and moving to
    /// another criterion save it; Esc discards it (and says so); quitting
    /// asks; help, language and paging leave it pending; any other
    /// command discards it, saying so, before it runs.
    fn command_while_typing(&mut self, c: Cmd) -> Vec<Effect> {
        match c {
            Cmd::Commit => self.commit_digits(),
            Cmd::FocusNext | Cmd::FocusPrev | Cmd::Up | Cmd::Down | Cmd::Top | Cmd::Bottom => {
                let mut out = self.commit_digits();
                // A refused value keeps the cursor where it was typed.
                if self.digits.is_empty() && !self.message.as_ref().is_some_and(|m| m.1) {
                    out.extend(self.command(c));
                }
                out
            }
            Cmd::Back => {
                self.discard_digits();
                Vec::new()
            }
            Cmd::Quit => {
                self.dialog = Some(Dialog::QuitPending);
                Vec::new()
            }
            Cmd::Help | Cmd::Lang | Cmd::PageUp | Cmd::PageDown => self.command(c),
            _ => {
                self.discard_digits();
                let note = self.message.take();
                let out = self.command(c);
                if self.message.is_none() {
                    self.message = note;
                }
                out
            }
        }
    }

    /// Drops the value being typed and says so in the footer.
    fn discard_digits(&mut self) {
        if self.digits.is_empty() {
            return;
        }
        let typed = std::mem::take(&mut self.digits);
        let name = self.criterion_name();
        self.message = Some((fill(self.extra().pending_discarded, &[&typed, &name]), true));
    }

    /// The focused criterion's name in the screen's language.
    pub(super) fn criterion_name(&self) -> String {
        self.criterion()
            .map(|c| inert_line(self.lang().pick(&c.name_zh, &c.name_en)))
            .unwrap_or_default()
    }

    fn command(&mut self, c: Cmd) -> Vec<Effect> {
        let ctx = self.context();
        match c {
            Cmd::Quit => return vec![Effect::Quit],
            Cmd::Help => self.dialog = Some(Dialog::Help(Help::default())),
            Cmd::Lang => self.basics.settings.lang = self.basics.settings.lang.toggle(),
            Cmd::Export => {
                let path = self.default_export_path().display().to_string();
                self.dialog = Some(Dialog::Export(Box::new(ExportDialog::new(path))))
            }
            Cmd::FocusNext => self.cycle_focus(true),
            Cmd::FocusPrev => self.cycle_focus(false),
            Cmd::Back => {
                if !self.is_wide() && self.app_view {
                    self.app_view = false;
                    self.focus = Focus::List;
                } else if self.focus != Focus::List {
                    self.focus = Focus::List;
                } else if !self.query.is_empty() {
                    self.set_query(String::new());
                }
            }
            Cmd::Search => {
                self.searching = true;
                self.focus = Focus::List;
                self.app_view = false;
            }
            Cmd::Direction => {
                let cursor = self
                    .dir_filter
                    .and_then(|d| {
                        self.session
                            .catalog
                            .directions
                            .iter()
                            .position(|x| x.code == d)
                    })
                    .map(|p| p + 1)
                    .unwrap_or(0);
                self.dialog = Some(Dialog::Direction(DirectionPicker::new(cursor)));
            }
            Cmd::NextDirection | Cmd::PrevDirection => {
                let codes: Vec<u32> = self
                    .session
                    .catalog
                    .directions
                    .iter()
                    .map(|d| d.code)
                    .collect();
                let pos = self
                    .dir_filter
                    .and_then(|d| codes.iter().position(|c| *c == d))
                    .map(|p| p + 1)
                    .unwrap_or(0);
                let n = codes.len() + 1;
                let next = if c == Cmd::NextDirection {
                    (pos + 1) % n
                } else {
                    (pos + n - 1) % n
                };
                self.set_direction(if next == 0 {
                    None
                } else {
                    codes.get(next - 1).copied()
                });
            }
            Cmd::StatusFilter => {
                self.status_filter = match self.status_filter {
                    None => Some(Status::Todo),
                    Some(Status::Todo) => Some(Status::Draft),
                    Some(Status::Draft) => Some(Status::Complete),
                    Some(Status::Complete) => Some(Status::Recused),
                    Some(Status::Recused) => None,
                };
                self.refilter(true);
            }
            Cmd::ClearFilters => {
                self.dir_filter = None;
                self.status_filter = None;
                self.set_query(String::new());
            }
            Cmd::Recuse => {
                if self.current().is_some() && !self.signing_gate() {
                    return Vec::new();
                }
                if let Some(i) = self.current() {
                    self.dialog = Some(Dialog::Recuse {
                        confirm: false,
                        recusal: Recusal::new(i, self.status(i) == Status::Recused),
                    });
                }
            }
            Cmd::Scope => {
                if let Some(i) = self.current() {
                    self.dialog = Some(Dialog::Scope(ScopeNote { app: i }));
                }
            }
            Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown | Cmd::Top | Cmd::Bottom => {
                self.movement(ctx, c)
            }
            Cmd::Open => {
                if let Some(i) = self.current() {
                    self.first_criterion();
                    self.focus = Focus::Detail;
                    self.app_view = true;
                    if self.needs_conflict_decision(i) {
                        self.dialog = Some(Dialog::Conflict(ConflictWarning { app: i }));
                    }
                }
            }
            Cmd::Inc | Cmd::Dec | Cmd::IncLarge | Cmd::DecLarge => {
                let large = self.large_step();
                let n = match c {
                    Cmd::Inc => 1,
                    Cmd::Dec => -1,
                    Cmd::IncLarge => large,
                    _ => -large,
                };
                return self.step(n);
            }
            Cmd::Clear => {
                let Some(i) = self.scoring_gate() else {
                    return Vec::new();
                };
                let Some(cr) = self.criterion() else {
                    return Vec::new();
                };
                let key = cr.key.clone();
                if self.entry(i).is_some_and(|e| e.scores.contains_key(&key)) {
                    return self.append(Change::Score {
                        app: self.session.apps[i].id.clone(),
                        criterion: key,
                        value: None,
                    });
                }
            }
            Cmd::Commit => {}
            Cmd::Comment => {
                let Some(i) = self.scoring_gate() else {
                    return Vec::new();
                };
                let original = self.entry(i).map(|e| e.comment.clone()).unwrap_or_default();
                self.dialog = Some(Dialog::Comment(CommentEditor::new(i, original)));
            }
            Cmd::Recommend | Cmd::NotRecommend => {
                let Some(i) = self.scoring_gate() else {
                    return Vec::new();
                };
                let want = c == Cmd::Recommend;
                let now = self.entry(i).and_then(|e| e.recommend);
                let value = if now == Some(want) { None } else { Some(want) };
                return self.append(Change::Recommend {
                    app: self.session.apps[i].id.clone(),
                    value,
                });
            }
            // The replay's commands.
            Cmd::Filter | Cmd::Earlier | Cmd::Later | Cmd::AppHistory => {}
        }
        Vec::new()
    }

    fn cycle_focus(&mut self, forward: bool) {
        if self.is_wide() {
            self.focus = match (self.focus, forward) {
                (Focus::List, true) | (Focus::Scoring, false) => Focus::Detail,
                (Focus::Detail, true) | (Focus::List, false) => Focus::Scoring,
                (Focus::Scoring, true) | (Focus::Detail, false) => Focus::List,
            };
        } else if !self.app_view {
            if self.current().is_some() {
                self.app_view = true;
                self.focus = if forward {
                    Focus::Detail
                } else {
                    Focus::Scoring
                };
            }
        } else {
            self.focus = match self.focus {
                Focus::Detail => Focus::Scoring,
                _ => Focus::Detail,
            };
        }
    }

    fn movement(&mut self, ctx: Context, c: Cmd) {
        let page = |rows: u16| (rows.max(2) as isize) - 1;
        match ctx {
            // The expert screens never land in the replay's contexts.
            Context::List
            | Context::Global
            | Context::Replay
            | Context::Timeline
            | Context::Sheet => {
                let p = page(self.areas.list_rows);
                match c {
                    Cmd::Up => self.move_selection(-1),
                    Cmd::Down => self.move_selection(1),
                    Cmd::PageUp => self.move_selection(-p),
                    Cmd::PageDown => self.move_selection(p),
                    Cmd::Top => self.move_selection(isize::MIN / 2),
                    _ => self.move_selection(isize::MAX / 2),
                }
            }
            Context::Detail => {
                let p = page(self.areas.detail_rows);
                match c {
                    Cmd::Up => self.scroll_detail(-1),
                    Cmd::Down => self.scroll_detail(1),
                    Cmd::PageUp => self.scroll_detail(-p),
                    Cmd::PageDown => self.scroll_detail(p),
                    Cmd::Top => self.detail.set(0),
                    _ => self.detail.set(usize::MAX / 2),
                }
            }
            Context::Scoring => {
                let last = self.session.rubric.criteria.len().saturating_sub(1);
                // Paging scrolls the application's text; it never touches
                // a value.
                let p = page(self.areas.detail_rows);
                match c {
                    Cmd::Up => self.crit = self.crit.saturating_sub(1),
                    Cmd::Down => self.crit = (self.crit + 1).min(last),
                    Cmd::Top => self.crit = 0,
                    Cmd::Bottom => self.crit = last,
                    Cmd::PageUp => self.scroll_detail(-p),
                    _ => self.scroll_detail(p),
                }
            }
        }
    }

    /// Puts the cursor on application `id` if the list shows it.
    pub fn select_id(&mut self, id: &str) -> bool {
        let pos = self
            .by_id
            .get(id)
            .and_then(|i| self.visible.iter().position(|v| v == i));
        match pos {
            Some(p) => {
                let before = self.current();
                self.list.select(p);
                self.detail.set(0);
                if self.current() != before {
                    self.left_application();
                    self.first_criterion();
                }
                true
            }
            None => false,
        }
    }

    pub fn move_selection(&mut self, d: isize) {
        if self.visible.is_empty() {
            return;
        }
        let max = self.visible.len() - 1;
        let next = self.list.selected().saturating_add_signed(d).min(max);
        if next != self.list.selected() {
            self.list.select(next);
            self.detail.set(0);
            self.left_application();
            self.first_criterion();
        }
    }

    /// The application under the cursor changed: a value typed for the
    /// one before is not saved (and the footer says so).
    pub(super) fn left_application(&mut self) {
        self.discard_digits();
    }

    fn scroll_detail(&mut self, d: isize) {
        self.detail.by(d);
    }

    fn set_direction(&mut self, d: Option<u32>) {
        self.dir_filter = d;
        self.refilter(true);
    }

    /// A new query puts the cursor on the best hit; clearing it keeps the
    /// cursor where it was.
    fn set_query(&mut self, q: String) {
        self.query = q;
        self.hits = self.index.rank(&self.query);
        let keep = self.query.is_empty();
        self.refilter(keep);
    }

    // ----- Scoring -----

    /// The application scoring may change now, or why not (as a message
    /// or the conflict question).
    fn scoring_gate(&mut self) -> Option<usize> {
        let i = self.current()?;
        if !self.signing_gate() {
            return None;
        }
        if self.status(i) == Status::Recused {
            let key = self.key_name(Context::Scoring, Cmd::Recuse);
            self.message = Some((fill(self.s().recused_locked, &[&key]), true));
            return None;
        }
        if self.needs_conflict_decision(i) {
            self.dialog = Some(Dialog::Conflict(ConflictWarning { app: i }));
            return None;
        }
        Some(i)
    }

    fn large_step(&self) -> i64 {
        self.criterion()
            .map(|c| (((c.max - c.min) / c.step.max(1)) / 5).max(1))
            .unwrap_or(5)
    }

    fn append(&mut self, change: Change) -> Vec<Effect> {
        if !self.signing_gate() {
            return Vec::new();
        }
        self.save = SaveState::Pending;
        vec![Effect::Append(change)]
    }

    fn digit(&mut self, d: u8) -> Vec<Effect> {
        if self.scoring_gate().is_none() {
            return Vec::new();
        }
        let Some(c) = self.criterion() else {
            return Vec::new();
        };
        let max = c.max;
        // The value stays pending until Enter, Tab or a move; a number
        // past the scale is refused whole, at once.
        let mut typed = std::mem::take(&mut self.digits);
        typed.push((b'0' + d) as char);
        let v: i64 = typed.parse().unwrap_or(i64::MAX);
        if v > max {
            self.refuse(&typed);
        } else {
            self.digits = typed;
        }
        Vec::new()
    }

    /// Says that `typed` is not on the focused criterion's scale; nothing
    /// is saved.
    fn refuse(&mut self, typed: &str) {
        let Some(c) = self.criterion() else {
            return;
        };
        let (min, max, step) = (c.min, c.max, c.step);
        let name = self.criterion_name();
        let msg = fill(
            self.extra().refused_scale,
            &[&typed, &name, &min, &max, &step],
        );
        self.message = Some((msg, true));
    }

    pub(super) fn commit_digits(&mut self) -> Vec<Effect> {
        if self.digits.is_empty() {
            return Vec::new();
        }
        let typed = std::mem::take(&mut self.digits);
        let Some(i) = self.scoring_gate() else {
            return Vec::new();
        };
        let Some(c) = self.criterion() else {
            return Vec::new();
        };
        let v: i64 = typed.parse().unwrap_or(i64::MAX);
        if !c.accepts(v) {
            self.refuse(&typed);
            return Vec::new();
        }
        let key = c.key.clone();
        if self.entry(i).and_then(|e| e.scores.get(&key)) == Some(&v) {
            return Vec::new();
        }
        self.append(Change::Score {
            app: self.session.apps[i].id.clone(),
            criterion: key,
            value: Some(v),
        })
    }

    fn step(&mut self, n: i64) -> Vec<Effect> {
        let Some(i) = self.scoring_gate() else {
            return Vec::new();
        };
        let Some(c) = self.criterion() else {
            return Vec::new();
        };
        let now = self.entry(i).and_then(|e| e.scores.get(&c.key)).copied();
        let step = c.step.max(1);
        let next = match now {
            Some(v) => {
                let raw = v.saturating_add(n.saturating_mul(step)).clamp(c.min, c.max);
                c.min + (raw - c.min) / step * step
            }
            None if n > 0 => c.min,
            None => c.min + (c.max - c.min) / step * step,
        };
        if Some(next) == now {
            return Vec::new();
        }
        let key = c.key.clone();
        self.append(Change::Score {
            app: self.session.apps[i].id.clone(),
            criterion: key,
            value: Some(next),
        })
    }

    fn save_comment(&mut self, close: bool) -> Vec<Effect> {
        let Some(Dialog::Comment(c)) = &mut self.dialog else {
            return Vec::new();
        };
        let app = c.app;
        let text = c.take_change();
        if close {
            self.dialog = None;
        }
        match text {
            Some(text) => self.append(Change::Comment {
                app: self.session.apps[app].id.clone(),
                text,
            }),
            None => Vec::new(),
        }
    }

    // ----- The signing key -----

    /// Whether changes can be made now: the owner's key is unlocked. If
    /// not, the key dialog opens (or the footer says why not).
    fn signing_gate(&mut self) -> bool {
        match &self.signing {
            Signing::Unlocked => true,
            Signing::Refused(r) => {
                self.message = Some((fill(self.s().unlock_refused, &[r]), true));
                false
            }
            Signing::Locked => {
                self.ask_for_key();
                false
            }
        }
    }

    /// Opens the dialog the owner's key needs: its passphrase, or making
    /// it when the keys folder has none of the owner's. The loop calls
    /// this when a copy opens; a change key calls it while locked.
    pub fn ask_for_key(&mut self) {
        if self.signing != Signing::Locked {
            return;
        }
        let Some(o) = self.session.owner.clone() else {
            return;
        };
        match self.owner_key() {
            OwnerKey::Ready(_) | OwnerKey::Other(..) => {
                self.dialog = Some(Dialog::Unlock(UnlockDialog::default()));
            }
            OwnerKey::Unusable(e) => {
                let msg = fill(self.s().unlock_no_key_file, &[&inert_line(e)]);
                self.message = Some((msg, true));
            }
            OwnerKey::Missing => {
                // The roster's name and organisation when it lists the
                // owner, else those the copy was claimed with.
                let (name, org) = self
                    .session
                    .roster
                    .iter()
                    .find(|e| e.id == o.id)
                    .map(|e| (e.name.clone(), e.org.clone()))
                    .unwrap_or((o.name.clone(), o.org.clone()));
                self.dialog = Some(Dialog::NewKey(Box::new(NewKeyDialog::new(o.id, name, org))));
            }
        }
    }

    /// The key was unlocked and the copy checked (`Ok`, with the notice of
    /// an older copy), or not.
    pub fn on_unlocked(&mut self, r: Result<Option<String>, UnlockFailure>) {
        let s = Strings::of(self.basics.settings.lang);
        match r {
            Ok(notice) => {
                self.signing = Signing::Unlocked;
                if matches!(self.dialog, Some(Dialog::Unlock(_))) {
                    self.dialog = None;
                }
                self.message = Some(match notice {
                    Some(n) => (inert_line(&n), true),
                    None => {
                        let key = match self.owner_key() {
                            OwnerKey::Ready(k) | OwnerKey::Other(k, _) => inert_line(k.short_id()),
                            _ => String::new(),
                        };
                        (fill(s.unlocked_note, &[&key]), false)
                    }
                });
            }
            Err(UnlockFailure::Refused(e)) => {
                let line = inert_line(&e);
                self.signing = Signing::Refused(line.clone());
                let keep =
                    matches!(&self.dialog, Some(Dialog::NewKey(d)) if d.step == NewKeyStep::Done);
                if !keep && matches!(self.dialog, Some(Dialog::Unlock(_) | Dialog::NewKey(_))) {
                    self.dialog = None;
                }
                self.message = Some((fill(s.unlock_refused, &[&line]), true));
            }
            Err(UnlockFailure::WrongPassphrase(_)) => {
                if let Some(Dialog::Unlock(d)) = &mut self.dialog {
                    d.running = false;
                    d.error = Some(s.unlock_wrong.to_string());
                }
            }
            Err(UnlockFailure::Key(e)) => {
                let msg = fill(s.key_failed, &[&inert_line(&e)]);
                match &mut self.dialog {
                    Some(Dialog::Unlock(d)) => {
                        d.running = false;
                        d.error = Some(msg);
                    }
                    _ => self.message = Some((msg, true)),
                }
            }
        }
    }

    /// The key was made on the screens (or not): the header and the
    /// export now know it, and the dialog shows its roster entry.
    pub fn on_key_made(&mut self, r: Result<KeyMade, String>) {
        let s = Strings::of(self.basics.settings.lang);
        if let Ok(m) = &r {
            self.session.keys.retain(|k| k.id != m.listing.id);
            self.session.keys.push(m.listing.clone());
        }
        if let Some(Dialog::NewKey(d)) = &mut self.dialog {
            d.finished(r, s);
        }
    }

    // ----- Results from the loop -----

    /// A write returned: only now does the screen show the change.
    pub fn on_appended(&mut self, r: Result<HistoryEvent, String>) {
        match r {
            Ok(ev) => {
                self.session.sheet.apply(ev.seq, &ev.change);
                self.session.history_size = ev.seq;
                if let Some(&i) = self.by_id.get(ev.change.app()) {
                    let st = self
                        .session
                        .sheet
                        .entry(ev.change.app())
                        .map(|e| e.status(&self.session.rubric))
                        .unwrap_or(Status::Todo);
                    if let Some(old) = self.statuses.get_mut(i) {
                        self.counts[*old as usize] -= 1;
                        *old = st;
                        self.counts[st as usize] += 1;
                    }
                }
                self.flash = self.by_id.get(ev.change.app()).map(|&app| Flash {
                    app,
                    what: match &ev.change {
                        Change::Score { criterion, .. } => Saved::Criterion(criterion.clone()),
                        Change::Comment { .. } => Saved::Comment,
                        Change::Recommend { .. } => Saved::Recommend,
                        _ => Saved::Recusal,
                    },
                });
                if self.status_filter.is_some() {
                    self.refilter(true);
                }
                self.save = SaveState::Saved(ev.seq);
            }
            Err(e) => {
                let s = Strings::of(self.basics.settings.lang);
                let msg = fill(s.save_failed, &[&inert_line(&e)]);
                self.message = Some((msg.clone(), true));
                self.save = SaveState::Failed(msg);
            }
        }
    }

    /// A claim returned.
    pub fn on_claimed(&mut self, who: Identity, r: Result<(), String>) {
        match r {
            Ok(()) => {
                self.session.owner = Some(who);
                self.find_conflicts();
                self.screen = Screen::Main;
                self.ask_for_key();
            }
            Err(e) => {
                let s = Strings::of(self.basics.settings.lang);
                if let Screen::Identity(p) = &mut self.screen {
                    p.error = Some(fill(s.claim_failed, &[&inert_line(&e)]));
                }
            }
        }
    }

    /// The export's output path was looked at.
    pub fn on_export_target(&mut self, t: super::dialogs::ExportTarget) {
        if let Some(Dialog::Export(mut d)) = self.dialog.take() {
            d.checked(t, self);
            self.dialog = Some(Dialog::Export(d));
        }
    }

    /// An export returned: the dialog shows the file, or the error at the
    /// step that can fix it.
    pub fn on_exported(&mut self, r: Result<ExportSummary, ExportFailure>) {
        let s = Strings::of(self.basics.settings.lang);
        if let Some(Dialog::Export(d)) = &mut self.dialog {
            d.finished(r, s);
        }
    }

    /// The score sheet was written beside the export, or not: the
    /// export dialog shows which.
    pub fn on_sheet(&mut self, r: Result<std::path::PathBuf, String>) {
        if let Some(Dialog::Export(d)) = &mut self.dialog {
            d.sheet = Some(r.map(|p| p.display().to_string()));
        }
    }

    // ----- Text fields and dialogs -----

    fn search_key(&mut self, k: KeyEvent) {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Esc => {
                self.searching = false;
                self.set_query(String::new());
            }
            KeyCode::Enter => self.searching = false,
            KeyCode::Up => self.move_selection(-1),
            KeyCode::Down => self.move_selection(1),
            KeyCode::Char('p') if ctrl => self.move_selection(-1),
            KeyCode::Char('n') if ctrl => self.move_selection(1),
            KeyCode::Char('u') if ctrl => self.set_query(String::new()),
            KeyCode::Backspace => {
                let mut q = self.query.clone();
                q.pop();
                self.set_query(q);
            }
            KeyCode::Char(c) if !ctrl && !k.modifiers.contains(KeyModifiers::ALT) => {
                let mut q = self.query.clone();
                q.push(c);
                self.set_query(q);
            }
            _ => {}
        }
    }

    /// Routes a key to the open dialog and acts on its outcome.
    fn dialog_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Some(mut dialog) = self.dialog.take() else {
            return Vec::new();
        };
        let outcome = dialog.key(k, self);
        self.dialog = Some(dialog);
        self.outcome(outcome)
    }

    /// Routes a key to the identity picker and acts on its outcome.
    fn identity_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let Screen::Identity(mut picker) = std::mem::replace(&mut self.screen, Screen::Main) else {
            return Vec::new();
        };
        let outcome = picker.key(k, self);
        self.screen = Screen::Identity(picker);
        self.outcome(outcome)
    }

    /// What a dialog's (or the picker's) outcome does to the screen.
    fn outcome(&mut self, o: Outcome) -> Vec<Effect> {
        match o {
            Outcome::Stay => {}
            Outcome::Close => self.dialog = None,
            Outcome::PickDirection(cursor) => self.pick_direction(cursor),
            Outcome::Append(change) => {
                self.dialog = None;
                return self.append(change);
            }
            Outcome::SaveComment { close } => return self.save_comment(close),
            Outcome::Recuse(app) => {
                self.dialog = Some(Dialog::Recuse {
                    confirm: false,
                    recusal: Recusal::new(app, false),
                })
            }
            Outcome::Cleared(app) => {
                self.cleared.insert(app);
                self.dialog = None;
                self.message = Some((self.s().conflict_cleared.to_string(), false));
            }
            Outcome::Export(req) => return vec![Effect::Export(req)],
            Outcome::CheckExport(p) => return vec![Effect::CheckExport(p)],
            Outcome::PrintSheet(export) => {
                let lang = self.basics.settings.lang;
                return vec![Effect::PrintSheet(export, lang)];
            }
            Outcome::Claim(who) => return vec![Effect::Claim(who)],
            Outcome::Unlock(req) => return vec![Effect::Unlock(req)],
            Outcome::MakeKey(req) => return vec![Effect::MakeKey(req)],
            Outcome::KeyLater => {
                self.dialog = None;
                self.message = Some((self.s().unlock_later.to_string(), false));
            }
            Outcome::Quit => return vec![Effect::Quit],
            Outcome::Lang => self.basics.settings.lang = self.basics.settings.lang.toggle(),
        }
        Vec::new()
    }

    fn pick_direction(&mut self, cursor: usize) {
        self.dialog = None;
        let d = if cursor == 0 {
            None
        } else {
            self.session
                .catalog
                .directions
                .get(cursor - 1)
                .map(|d| d.code)
        };
        self.set_direction(d);
    }
}
