//! A small page writer over krilla: paragraphs and table rows wrapped to
//! their width (never cut: a row or a paragraph longer than the page
//! continues on the next), laid out first so every page knows how many
//! there are, then drawn with the font's glyphs (krilla embeds only the
//! glyphs used).

use krilla::Document;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};

use super::font::PaperFont;

/// A4 in points.
pub const A4: (f32, f32) = (595.28, 841.89);

/// What is drawn, in page coordinates (origin top left, y down; a text's
/// y is its baseline).
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    Shade {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// Dark modules of a QR code: `size` points square at (x, y).
    Qr {
        x: f32,
        y: f32,
        size: f32,
        modules: Vec<bool>,
        width: usize,
    },
}

/// A table: column widths and the header row repeated on every page a row
/// starts on.
#[derive(Debug, Clone)]
pub struct Table {
    pub widths: Vec<f32>,
    pub header: Vec<String>,
    pub size: f32,
}

/// What every page carries at its foot.
pub struct Footer {
    /// Left, first line (e.g. the expert's name, or the document's name).
    pub who: String,
    /// Left, second line: the file's name and short hash.
    pub file: String,
    /// The whole hash, for the QR code.
    pub qr: String,
    /// "第 N 页 共 M 页" for page N of M.
    pub page: fn(usize, usize) -> String,
}

pub struct Writer<'f> {
    font: &'f mut PaperFont,
    page_w: f32,
    page_h: f32,
    margin: f32,
    bottom: f32,
    pages: Vec<Vec<Op>>,
    y: f32,
    table: Option<Table>,
    header_on_page: bool,
}

const PAD: f32 = 2.5;

fn leading(size: f32) -> f32 {
    size * 1.45
}

impl<'f> Writer<'f> {
    /// A writer of pages `size` (width, height) in points.
    pub fn new(font: &'f mut PaperFont, size: (f32, f32)) -> Writer<'f> {
        let margin = 36.0;
        let mut w = Writer {
            font,
            page_w: size.0,
            page_h: size.1,
            margin,
            // Room for the footer and its QR code.
            bottom: size.1 - 84.0,
            pages: Vec::new(),
            y: 0.0,
            table: None,
            header_on_page: false,
        };
        w.new_page();
        w
    }

    /// The width between the margins.
    pub fn body_width(&self) -> f32 {
        self.page_w - 2.0 * self.margin
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.margin;
        self.header_on_page = false;
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    /// Starts a new page unless `h` points still fit on this one.
    pub fn keep(&mut self, h: f32) {
        if self.y + h > self.bottom && self.y > self.margin {
            self.new_page();
        }
    }

    pub fn gap(&mut self, h: f32) {
        self.y += h;
        if self.y > self.bottom {
            self.new_page();
        }
    }

    /// `text` wrapped to `width` at `size`: lines break at the width
    /// (between words for Latin text), at each newline; nothing is dropped
    /// but control characters and the spaces a break falls on.
    pub fn wrap(&mut self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut out = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            let mut w = 0.0f32;
            // Byte index in `line` of its last space.
            let mut space: Option<usize> = None;
            for c in para.chars() {
                let c = if c == '\t' { ' ' } else { c };
                if c.is_control() {
                    continue;
                }
                let cw = self.font.glyph(c).1 * size;
                // Closing punctuation may hang past the edge rather than
                // start a line.
                let hangs = "，。、；：？！）》」』,.;:!?)".contains(c);
                if w + cw > width && !line.is_empty() && !(hangs && w <= width) {
                    let word_break = c != ' '
                        && space.is_some_and(|i| {
                            let tail = &line[i + 1..];
                            !tail.is_empty() && tail.chars().all(|t| t.is_ascii_alphanumeric())
                        });
                    if let (true, Some(i)) = (word_break, space) {
                        let tail = line[i + 1..].to_string();
                        line.truncate(i);
                        out.push(std::mem::take(&mut line));
                        w = self.font.width(&tail, size);
                        line = tail;
                    } else {
                        out.push(std::mem::take(&mut line));
                        w = 0.0;
                    }
                    space = None;
                    if c == ' ' {
                        continue;
                    }
                }
                if c == ' ' {
                    space = Some(line.len());
                }
                line.push(c);
                w += cw;
            }
            out.push(line);
        }
        out
    }

    /// A paragraph at `size`, indented by `indent` points.
    pub fn para(&mut self, text: &str, size: f32, indent: f32) {
        let width = self.body_width() - indent;
        let lh = leading(size);
        for line in self.wrap(text, size, width) {
            if self.y + lh > self.bottom {
                self.new_page();
            }
            let x = self.margin + indent;
            let y = self.y + size;
            self.text(x, y, size, line);
            self.y += lh;
        }
    }

    /// A line centred on the page.
    pub fn centred(&mut self, text: &str, size: f32) {
        let lh = leading(size);
        self.keep(lh);
        let w = self.font.width(text, size);
        let x = (self.page_w - w) / 2.0;
        let y = self.y + size;
        self.text(x, y, size, text.to_string());
        self.y += lh;
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: String) {
        if !text.is_empty() {
            self.push(Op::Text { x, y, size, text });
        }
    }

    /// Starts a table: its header row is drawn now and on every later
    /// page a row starts on.
    pub fn begin_table(&mut self, t: Table) {
        let lh = leading(t.size);
        // The header and at least a line of the first row on one page.
        self.keep(2.0 * (lh * 2.0 + 2.0 * PAD));
        self.table = Some(t);
        self.draw_header();
    }

    pub fn end_table(&mut self) {
        self.table = None;
        self.y += 4.0;
    }

    fn draw_header(&mut self) {
        let Some(t) = self.table.clone() else { return };
        self.header_on_page = true;
        self.cells(&t.widths, &t.header, t.size, true);
    }

    /// A row of the current table.
    pub fn row(&mut self, cells: &[String]) {
        let t = self.table.clone().expect("a table");
        let lh = leading(t.size);
        if self.y + lh + 2.0 * PAD > self.bottom {
            self.new_page();
        }
        if !self.header_on_page {
            self.draw_header();
        }
        self.cells(&t.widths, cells, t.size, false);
    }

    /// One row of cells, wrapped; continued on the next page (after the
    /// table's header) when it does not fit.
    fn cells(&mut self, widths: &[f32], cells: &[String], size: f32, shaded: bool) {
        let lh = leading(size);
        let lines: Vec<Vec<String>> = widths
            .iter()
            .zip(cells)
            .map(|(w, c)| self.wrap(c, size, w - 2.0 * PAD))
            .collect();
        let total = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut from = 0;
        while from < total {
            let room = ((self.bottom - self.y - 2.0 * PAD) / lh).floor().max(0.0) as usize;
            if room == 0 {
                self.new_page();
                if !shaded && self.table.is_some() {
                    self.draw_header();
                }
                continue;
            }
            let n = room.min(total - from);
            let h = n as f32 * lh + 2.0 * PAD;
            let top = self.y;
            let full: f32 = widths.iter().sum();
            if shaded {
                self.push(Op::Shade {
                    x: self.margin,
                    y: top,
                    w: full,
                    h,
                });
            }
            let mut x = self.margin;
            for (w, col) in widths.iter().zip(&lines) {
                for (i, l) in col.iter().enumerate().skip(from).take(n) {
                    let y = top + PAD + (i - from) as f32 * lh + size;
                    self.text(x + PAD, y, size, l.clone());
                }
                x += w;
            }
            self.grid(widths, top, h);
            self.y = top + h;
            from += n;
        }
    }

    fn grid(&mut self, widths: &[f32], top: f32, h: f32) {
        let left = self.margin;
        let right = left + widths.iter().sum::<f32>();
        for y in [top, top + h] {
            self.push(Op::Line {
                x1: left,
                y1: y,
                x2: right,
                y2: y,
                width: 0.5,
            });
        }
        let mut x = left;
        for w in std::iter::once(&0.0).chain(widths) {
            x += w;
            self.push(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: top + h,
                width: 0.5,
            });
        }
    }

    /// A signature line: `label`, then a rule to write on.
    pub fn sign_line(&mut self, label: &str, date_label: &str, size: f32) {
        let lh = leading(size) * 2.2;
        self.keep(lh);
        let y = self.y + lh - 4.0;
        let x = self.margin;
        let lw = self.font.width(label, size);
        self.text(x, y, size, label.to_string());
        let mid = self.margin + self.body_width() * 0.62;
        self.push(Op::Line {
            x1: x + lw + 4.0,
            y1: y + 2.0,
            x2: mid - 12.0,
            y2: y + 2.0,
            width: 0.6,
        });
        let dw = self.font.width(date_label, size);
        self.text(mid, y, size, date_label.to_string());
        self.push(Op::Line {
            x1: mid + dw + 4.0,
            y1: y + 2.0,
            x2: self.page_w - self.margin,
            y2: y + 2.0,
            width: 0.6,
        });
        self.y += lh;
    }

    /// An empty box `h` points high (for written text), with a label.
    pub fn write_box(&mut self, label: &str, size: f32, h: f32) {
        self.keep(h + leading(size));
        self.para(label, size, 0.0);
        let (top, left, w) = (self.y, self.margin, self.body_width());
        self.grid(&[w], top, h);
        let _ = left;
        self.y += h + 4.0;
    }

    /// The pages drawn, each with `footer`, as a PDF whose creation date
    /// is `created` (RFC 3339 UTC) and whose id derives from `doc_id`.
    pub fn finish(self, footer: &Footer, meta: &DocMeta) -> Result<(Vec<u8>, usize), String> {
        let Writer {
            font,
            page_w,
            page_h,
            margin,
            mut pages,
            ..
        } = self;
        if pages.last().is_some_and(Vec::is_empty) && pages.len() > 1 {
            pages.pop();
        }
        let m = pages.len();
        let qr = qr_modules(&footer.qr)?;
        let fsize = 7.5;
        for (i, ops) in pages.iter_mut().enumerate() {
            let qsize = 54.0;
            let qx = page_w - margin - qsize;
            let qy = page_h - margin + 8.0 - qsize;
            let base = qy + 14.0;
            ops.push(Op::Line {
                x1: margin,
                y1: qy - 6.0,
                x2: page_w - margin,
                y2: qy - 6.0,
                width: 0.4,
            });
            ops.push(Op::Text {
                x: margin,
                y: base,
                size: fsize,
                text: footer.who.clone(),
            });
            ops.push(Op::Text {
                x: margin,
                y: base + leading(fsize),
                size: fsize,
                text: footer.file.clone(),
            });
            ops.push(Op::Text {
                x: margin,
                y: base + 2.0 * leading(fsize),
                size: fsize,
                text: (footer.page)(i + 1, m),
            });
            ops.push(Op::Qr {
                x: qx,
                y: qy,
                size: qsize,
                modules: qr.1.clone(),
                width: qr.0,
            });
        }
        draw(font, page_w, page_h, &pages, meta).map(|b| (b, m))
    }
}

/// The document's metadata.
pub struct DocMeta {
    pub title: String,
    pub created: String,
    pub doc_id: String,
    pub lang: &'static str,
}

/// The QR code of `text`: its width in modules and which are dark.
fn qr_modules(text: &str) -> Result<(usize, Vec<bool>), String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| format!("QR code: {e}"))?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

/// A krilla date from RFC 3339 UTC (`2024-03-01T08:00:00.000Z`).
fn pdf_date(s: &str) -> Option<DateTime> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    let t = t.to_offset(time::UtcOffset::UTC);
    Some(
        DateTime::new(u16::try_from(t.year()).ok()?)
            .month(t.month() as u8)
            .day(t.day())
            .hour(t.hour())
            .minute(t.minute())
            .second(t.second())
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

fn draw(
    font: &mut PaperFont,
    page_w: f32,
    page_h: f32,
    pages: &[Vec<Op>],
    meta: &DocMeta,
) -> Result<Vec<u8>, String> {
    let kfont = Font::new(font.data.clone().into(), font.index)
        .ok_or_else(|| format!("{}: krilla cannot read this font", font.path.display()))?;
    let mut doc = Document::new();
    let mut md = Metadata::new()
        .title(meta.title.clone())
        .creator(format!("panelist {}", env!("CARGO_PKG_VERSION")))
        .producer(format!("panelist {} (krilla)", env!("CARGO_PKG_VERSION")))
        .language(meta.lang.to_string())
        .document_id(meta.doc_id.clone());
    if let Some(d) = pdf_date(&meta.created) {
        md = md.creation_date(d);
    }
    doc.set_metadata(md);
    let settings = PageSettings::from_wh(page_w, page_h).ok_or("page size")?;
    for ops in pages {
        let mut page = doc.start_page_with(settings.clone());
        let mut s = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, text } => {
                    let glyphs = glyphs(font, text);
                    s.set_fill(Some(Fill::default()));
                    s.set_stroke(None);
                    s.draw_glyphs(
                        Point::from_xy(*x, *y),
                        &glyphs,
                        kfont.clone(),
                        text,
                        *size,
                        false,
                    );
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(p) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            width: *width,
                            ..Stroke::default()
                        }));
                        s.draw_path(&p);
                    }
                }
                Op::Shade { x, y, w, h } => {
                    if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(r);
                        if let Some(p) = pb.finish() {
                            s.set_stroke(None);
                            s.set_fill(Some(Fill {
                                paint: krilla::color::luma::Color::new(232).into(),
                                ..Fill::default()
                            }));
                            s.draw_path(&p);
                        }
                    }
                }
                Op::Qr {
                    x,
                    y,
                    size,
                    modules,
                    width,
                } => {
                    let m = *size / *width as f32;
                    let mut pb = PathBuilder::new();
                    for (i, dark) in modules.iter().enumerate() {
                        if *dark {
                            let (c, r) = ((i % width) as f32, (i / width) as f32);
                            if let Some(rect) = Rect::from_xywh(x + c * m, y + r * m, m, m) {
                                pb.push_rect(rect);
                            }
                        }
                    }
                    if let Some(p) = pb.finish() {
                        s.set_stroke(None);
                        s.set_fill(Some(Fill::default()));
                        s.draw_path(&p);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish().map_err(|e| format!("PDF: {e:?}"))
}

/// The glyphs of `text`, one per character, with their advances.
fn glyphs(font: &mut PaperFont, text: &str) -> Vec<KrillaGlyph> {
    text.char_indices()
        .map(|(i, c)| {
            let (gid, adv) = font.glyph(c);
            KrillaGlyph::new(
                GlyphId::new(u32::from(gid)),
                adv,
                0.0,
                0.0,
                0.0,
                i..i + c.len_utf8(),
                None,
            )
        })
        .collect()
}
