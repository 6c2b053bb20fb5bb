//! A click on the expert screens: it picks what was drawn under it (the
//! last frame's [`Target`]s) and does what the keys for it would do, so a
//! click never changes a score by itself.

use super::super::dialogs::{Dialog, Outcome};
use super::super::effects::Effect;
use super::super::state::{App, Focus, Screen, Target};
use crate::tui::ScreenBasics;
use crate::tui::kit::action::{Action, Cmd};

impl App {
    /// A left click at column `col`, row `row`.
    pub(super) fn click(&mut self, col: u16, row: u16) -> Vec<Effect> {
        let target = self.areas.hits.at(col, row);
        // A dialog (and the identity picker) takes only its own keys.
        if self.dialog.is_some() || !matches!(self.screen, Screen::Main) || self.searching {
            return match target {
                Some(Target::Key(k)) => self.update(Action::Key(k)),
                Some(Target::Direction(n)) if matches!(self.dialog, Some(Dialog::Direction(_))) => {
                    self.outcome(Outcome::PickDirection(n))
                }
                _ => Vec::new(),
            };
        }
        match target {
            None | Some(Target::Key(_) | Target::Direction(_)) => Vec::new(),
            Some(Target::Pane(f)) => self.focus_on(f),
            Some(Target::Row(pos)) => {
                let mut out = self.focus_on(Focus::List);
                if pos == self.list.selected() {
                    // A click on the row already picked opens it.
                    out.extend(self.update(Action::Cmd(Cmd::Open)));
                } else {
                    self.move_selection(pos as isize - self.list.selected() as isize);
                }
                out
            }
            Some(Target::Criterion(k)) => {
                let mut out = self.focus_on(Focus::Scoring);
                // The way the keys go there: a typed number is settled as
                // moving away from its criterion settles it.
                let cmd = if k < self.crit { Cmd::Up } else { Cmd::Down };
                for _ in 0..k.abs_diff(self.crit) {
                    out.extend(self.update(Action::Cmd(cmd)));
                }
                out
            }
        }
    }

    /// The language switched but could not be written to `config.toml`.
    pub fn lang_not_remembered(&mut self, error: &anyhow::Error) {
        let text = crate::tui::kit::errors::lang_not_remembered(error, self.lang());
        self.message = Some((text, true));
    }

    /// Gives pane `f` the keyboard, settling a typed number as Tab would.
    fn focus_on(&mut self, f: Focus) -> Vec<Effect> {
        if self.focus == f {
            return Vec::new();
        }
        let out = self.commit_digits();
        self.focus = f;
        if !self.is_wide() {
            self.app_view = f != Focus::List;
        }
        out
    }
}
