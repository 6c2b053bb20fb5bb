//! The direction filter: pick one of the catalog's directions (or all)
//! with the cursor or by typing its code.

use crate::tui::kit::Look;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Outcome, frame_box};
use crate::domain::text::inert_line;
use crate::tui::ScreenBasics;
use crate::tui::expert::App;
use crate::tui::kit::frame::centered;
use crate::tui::text::{cut, fit, width};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectionPicker {
    /// 0 is "all", then the catalog's directions in order.
    pub cursor: usize,
    /// The digits of a code typed so far.
    pub typed: String,
}

impl DirectionPicker {
    pub fn new(cursor: usize) -> DirectionPicker {
        DirectionPicker {
            cursor,
            typed: String::new(),
        }
    }

    pub fn key(&mut self, k: KeyEvent, app: &App) -> Outcome {
        let dirs = &app.session.catalog.directions;
        let n = dirs.len() + 1;
        let (cursor, typed) = (&mut self.cursor, &mut self.typed);
        match k.code {
            KeyCode::Esc => return Outcome::Close,
            KeyCode::Up | KeyCode::Char('k') => {
                *cursor = (*cursor + n - 1) % n;
                typed.clear();
            }
            KeyCode::Down | KeyCode::Char('j') => {
                *cursor = (*cursor + 1) % n;
                typed.clear();
            }
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Enter => return Outcome::PickDirection(*cursor),
            KeyCode::Char(c @ '0'..='9') => {
                typed.push(c);
                if typed.as_str() == "0" {
                    return Outcome::PickDirection(0);
                }
                let exact = dirs.iter().position(|d| d.code.to_string() == *typed);
                let longer = dirs.iter().any(|d| {
                    let s = d.code.to_string();
                    s.len() > typed.len() && s.starts_with(typed.as_str())
                });
                match (exact, longer) {
                    (Some(p), false) => return Outcome::PickDirection(p + 1),
                    (Some(p), true) => *cursor = p + 1,
                    (None, true) => {}
                    (None, false) => typed.clear(),
                }
            }
            _ => {}
        }
        Outcome::Stay
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let (cursor, typed) = (self.cursor, self.typed.as_str());
        let Look { s, t, .. } = app.look();
        let lang = app.lang();
        let dirs = &app.session.catalog.directions;
        let mut counts = vec![0usize; dirs.len()];
        for a in app.session.apps.iter() {
            if let Some(p) = dirs.iter().position(|d| Some(d.code) == a.direction) {
                counts[p] += 1;
            }
        }
        let names: Vec<String> = dirs
            .iter()
            .map(|d| inert_line(lang.pick(&d.name_zh, &d.name_en)))
            .collect();
        let name_w = names
            .iter()
            .map(|n| width(n))
            .max()
            .unwrap_or(10)
            .max(width(s.all_directions));
        let w = (name_w + 14)
            .max(width(s.dir_hint) + 2)
            .min(area.width.saturating_sub(4) as usize) as u16;
        let h = (dirs.len() as u16 + 1 + 2 + 2).min(area.height.saturating_sub(2));
        let r = centered(area, w, h);
        let title = if typed.is_empty() {
            s.dir_title.to_string()
        } else {
            format!("{} {typed}", s.dir_title)
        };
        let inner = frame_box(frame, app, r, title);
        let iw = inner.width as usize;
        let rows = (inner.height as usize).saturating_sub(2);
        let offset = cursor.saturating_sub(rows.saturating_sub(1));
        let mut lines: Vec<Line> = Vec::new();
        let total = app.session.apps.len();
        let entries = std::iter::once((String::from(" 0"), s.all_directions.to_string(), total))
            .chain(
                dirs.iter()
                    .zip(names.iter())
                    .zip(counts.iter())
                    .map(|((d, n), c)| (format!("{:>2}", d.code), n.clone(), *c)),
            );
        let shown = (dirs.len() + 1).saturating_sub(offset).min(rows);
        app.areas.hits.rows(inner, shown, |k| {
            crate::tui::expert::Target::Direction(offset + k)
        });
        for (k, (code, name, count)) in entries.enumerate().skip(offset).take(rows) {
            let st = if k == cursor {
                t.selected(true)
            } else {
                t.base()
            };
            let mark = if k == cursor {
                app.basics.settings.glyphs.cursor()
            } else {
                " "
            };
            let count = format!("{count:>5}");
            let name_room = iw.saturating_sub(1 + width(&code) + 1 + width(&count) + 1);
            lines.push(Line::from(vec![
                Span::styled(mark, st),
                Span::styled(format!("{code} "), st.patch(t.key())),
                Span::styled(fit(&name, name_room, "…"), st),
                Span::styled(format!("{count} "), st.patch(t.dim())),
            ]));
        }
        while lines.len() < rows {
            lines.push(Line::raw(""));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled(cut(s.dir_hint, iw, "…"), t.dim()));
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
