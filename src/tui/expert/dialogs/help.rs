//! The help: every key of the keymap in force, scrolled.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Outcome;
use crate::tui::ScreenBasics;
use crate::tui::action::Context;
use crate::tui::expert::App;
use crate::tui::kit::frame::{HelpKey, HelpScroll, HelpText, help_box};

/// The help's scroll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Help {
    pub scroll: HelpScroll,
}

impl Help {
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        match self.scroll.key(&k) {
            HelpKey::Close => Outcome::Close,
            HelpKey::Scrolled | HelpKey::Other => Outcome::Stay,
        }
    }

    /// The mouse wheel: `d` lines.
    pub fn wheel(&mut self, d: isize) {
        self.scroll.wheel(d);
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        help_box(
            frame,
            app.theme(),
            app.s().help_title,
            area,
            84,
            self.scroll.top,
            |w| help_lines(app, w),
        );
    }
}

/// Every key, from the keymap in force, grouped by where it works.
pub fn help_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let s = app.s();
    let mut out = HelpText::new(app.theme(), w);
    for ctx in Context::EXPERT {
        out.heading(s.context(ctx));
        if ctx == Context::Scoring {
            out.entry("0–9", s.help_digits);
        }
        out.bindings(&app.basics.settings.keymap, ctx, |c| s.cmd_help_in(ctx, c));
    }
    out.section(app.extra().ctx_comment, app.extra().comment_keys);
    out.section(s.ctx_dialogs, s.help_dialog_keys);
    out.section(s.help_key_title, s.help_key_text);
    out.lines()
}
