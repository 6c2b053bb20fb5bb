//! Screens on ratatui's TestBackend as text, for snapshots and checks.

use panelist::support::lang::Lang;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// What `draw` puts on a `w`×`h` screen, one line per row. A wide
/// character takes its two cells; anything drawn into the second half of
/// one (a cut glyph) fails the test.
pub fn text(w: u16, h: u16, draw: impl FnOnce(&mut ratatui::Frame)) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(draw).expect("draw");
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let mut skip = 0usize;
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            if skip > 0 {
                assert_eq!(sym, " ", "row {y} col {x}: drawn over a wide character");
                skip -= 1;
                continue;
            }
            out.push_str(sym);
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
        }
        out.push('\n');
    }
    out
}

/// The language's short name in snapshot names.
pub fn lang_name(l: Lang) -> &'static str {
    match l {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}
