//! Semantic styles: widgets ask for "a focused title" or "the style of a
//! complete application", never for a colour. Three themes: `dark` (the
//! default), `light`, and `mono` (no colour at all; also chosen when
//! `NO_COLOR` is set and the configuration names no theme).

use ratatui::style::{Color, Modifier, Style};
use serde::{Deserialize, Serialize};

use crate::domain::history::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    Mono,
}

/// Status glyphs and the few other symbols, in Unicode (each one column
/// wide) or plain ASCII for terminals with poor fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Glyphs {
    #[default]
    Unicode,
    Ascii,
}

impl Glyphs {
    pub fn status(self, s: Status) -> &'static str {
        match (self, s) {
            (Glyphs::Unicode, Status::Todo) => "○",
            (Glyphs::Unicode, Status::Draft) => "◐",
            (Glyphs::Unicode, Status::Complete) => "●",
            (Glyphs::Unicode, Status::Recused) => "⊘",
            (Glyphs::Ascii, Status::Todo) => ".",
            (Glyphs::Ascii, Status::Draft) => "~",
            (Glyphs::Ascii, Status::Complete) => "*",
            (Glyphs::Ascii, Status::Recused) => "/",
        }
    }

    pub fn cursor(self) -> &'static str {
        match self {
            Glyphs::Unicode => "▶",
            Glyphs::Ascii => ">",
        }
    }

    pub fn ok(self) -> &'static str {
        match self {
            Glyphs::Unicode => "✓",
            Glyphs::Ascii => "+",
        }
    }

    pub fn fail(self) -> &'static str {
        match self {
            Glyphs::Unicode => "✗",
            Glyphs::Ascii => "x",
        }
    }

    /// One typed character of a passphrase.
    pub fn mask(self) -> &'static str {
        match self {
            Glyphs::Unicode => "•",
            Glyphs::Ascii => "*",
        }
    }

    pub fn ellipsis(self) -> &'static str {
        match self {
            Glyphs::Unicode => "…",
            Glyphs::Ascii => "~",
        }
    }

    /// Full and empty cells of a score bar.
    pub fn bar(self) -> (&'static str, &'static str) {
        match self {
            Glyphs::Unicode => ("■", "·"),
            Glyphs::Ascii => ("#", "."),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
}

impl Theme {
    pub fn new(name: ThemeName) -> Theme {
        Theme { name }
    }

    fn color(&self, dark: Color, light: Color) -> Style {
        match self.name {
            ThemeName::Dark => Style::new().fg(dark),
            ThemeName::Light => Style::new().fg(light),
            ThemeName::Mono => Style::new(),
        }
    }

    pub fn base(&self) -> Style {
        Style::new()
    }

    pub fn header(&self) -> Style {
        match self.name {
            ThemeName::Dark => Style::new().fg(Color::White).bg(Color::Blue),
            ThemeName::Light => Style::new().fg(Color::Black).bg(Color::LightBlue),
            ThemeName::Mono => Style::new().add_modifier(Modifier::REVERSED),
        }
    }

    pub fn footer(&self) -> Style {
        self.dim()
    }

    pub fn key(&self) -> Style {
        self.color(Color::Cyan, Color::Blue)
            .add_modifier(Modifier::BOLD)
    }

    pub fn title(&self, focused: bool) -> Style {
        if focused {
            self.color(Color::Yellow, Color::Blue)
                .add_modifier(Modifier::BOLD)
        } else {
            self.base()
        }
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.color(Color::Yellow, Color::Blue)
        } else {
            self.color(Color::DarkGray, Color::Gray)
        }
    }

    pub fn selected(&self, focused: bool) -> Style {
        match (self.name, focused) {
            (ThemeName::Mono, true) => Style::new().add_modifier(Modifier::REVERSED),
            (ThemeName::Mono, false) => Style::new().add_modifier(Modifier::UNDERLINED),
            (_, true) => Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD),
            (_, false) => Style::new().add_modifier(Modifier::BOLD),
        }
    }

    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Todo => self.base(),
            Status::Draft => self.color(Color::Yellow, Color::Rgb(150, 100, 0)),
            Status::Complete => self.color(Color::Green, Color::Rgb(0, 120, 0)),
            Status::Recused => self.dim(),
        }
    }

    pub fn matched(&self) -> Style {
        self.color(Color::LightMagenta, Color::Magenta)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn dim(&self) -> Style {
        match self.name {
            ThemeName::Mono => Style::new().add_modifier(Modifier::DIM),
            _ => self.color(Color::DarkGray, Color::Gray),
        }
    }

    pub fn label(&self) -> Style {
        self.color(Color::Cyan, Color::Blue)
    }

    pub fn heading(&self) -> Style {
        self.color(Color::Yellow, Color::Rgb(120, 60, 0))
            .add_modifier(Modifier::BOLD)
    }

    pub fn warning(&self) -> Style {
        match self.name {
            ThemeName::Mono => Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            _ => Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn error(&self) -> Style {
        self.color(Color::LightRed, Color::Red)
            .add_modifier(Modifier::BOLD)
    }

    pub fn saved(&self) -> Style {
        match self.name {
            ThemeName::Mono => Style::new().add_modifier(Modifier::BOLD),
            _ => self.header().fg(Color::LightGreen),
        }
    }

    pub fn value(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn input(&self) -> Style {
        match self.name {
            ThemeName::Mono => Style::new().add_modifier(Modifier::UNDERLINED),
            _ => Style::new().add_modifier(Modifier::UNDERLINED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn every_glyph_is_one_column_wide() {
        for g in [Glyphs::Unicode, Glyphs::Ascii] {
            let mut all = vec![
                g.cursor(),
                g.ok(),
                g.fail(),
                g.ellipsis(),
                g.mask(),
                g.bar().0,
                g.bar().1,
            ];
            for s in [
                Status::Todo,
                Status::Draft,
                Status::Complete,
                Status::Recused,
            ] {
                all.push(g.status(s));
            }
            for s in all {
                assert_eq!(s.width(), 1, "{s:?}");
                assert_eq!(s.chars().count(), 1, "{s:?}");
            }
        }
    }
}
