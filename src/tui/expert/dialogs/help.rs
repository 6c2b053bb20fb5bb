//! The help: every key of the keymap in force, scrolled.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::Outcome;
use crate::tui::ScreenBasics;
use crate::tui::action::Context;
use crate::tui::expert::App;
use crate::tui::kit::frame::{field_lines, help_box};

/// The help's scroll (past the end until drawn, where it is clamped).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Help {
    pub scroll: usize,
}

impl Help {
    pub fn key(&mut self, k: KeyEvent) -> Outcome {
        let scroll = &mut self.scroll;
        match k.code {
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') | KeyCode::F(1) => {
                return Outcome::Close;
            }
            KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => *scroll += 1,
            KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
            KeyCode::PageDown | KeyCode::Char(' ') => *scroll += 10,
            KeyCode::Home | KeyCode::Char('g') => *scroll = 0,
            KeyCode::End | KeyCode::Char('G') => *scroll = usize::MAX / 2,
            _ => {}
        }
        Outcome::Stay
    }

    /// The mouse wheel: `d` lines.
    pub fn wheel(&mut self, d: isize) {
        self.scroll = self.scroll.saturating_add_signed(d);
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        help_box(
            frame,
            app.theme(),
            app.s().help_title,
            area,
            84,
            self.scroll,
            |w| help_lines(app, w),
        );
    }
}

/// Every key, from the keymap in force, grouped by where it works.
pub fn help_lines(app: &App, w: usize) -> Vec<Line<'static>> {
    let s = app.s();
    let t = app.theme();
    let km = &app.settings.keymap;
    let key_w = 24.min(w / 2);
    let mut out = Vec::new();
    for ctx in Context::EXPERT {
        let heading = s.context(ctx);
        if !out.is_empty() {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(heading.to_string(), t.heading()));
        if ctx == Context::Scoring {
            out.extend(field_lines(
                "0–9",
                s.help_digits,
                w,
                key_w,
                t.key(),
                t.base(),
            ));
        }
        for (cmd, keys) in km.bindings(ctx) {
            if keys.is_empty() {
                continue;
            }
            let ks: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            out.extend(field_lines(
                &ks.join(" "),
                s.cmd_help(*cmd),
                w,
                key_w,
                t.key(),
                t.base(),
            ));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(s.ctx_dialogs.to_string(), t.heading()));
    for (k, d) in s.help_dialog_keys {
        out.extend(field_lines(k, d, w, key_w, t.key(), t.base()));
    }
    out
}
