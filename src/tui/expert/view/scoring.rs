//! The scoring panel: the criteria with their zh/en names, each value
//! against its scale and band, the live total, the recommendation and the
//! start of the comment.

use crate::tui::ScreenBasics;
use crate::tui::kit::Look;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, focused};
use crate::domain::history::Entry;
use crate::domain::history::Status;
use crate::domain::text::inert_line;
use crate::tui::action::{Cmd, Context};
use crate::tui::expert::{App, Areas, Focus, Saved, Target};
use crate::tui::strings::fill;
use crate::tui::text::{cut, fit, pad, pad_left, width, wrap};

pub fn draw(frame: &mut Frame, app: &App, area: Rect, areas: &mut Areas) {
    let Look { s, t, g } = app.look();
    let lang = app.lang();
    let has_focus = focused(app, Focus::Scoring);
    let rubric = &app.session.rubric;
    areas.scoring = area;
    let Some(i) = app.current() else {
        let b = block(app, s.scoring.to_string(), has_focus);
        frame.render_widget(b, area);
        return;
    };
    let entry = app.entry(i);
    let st = app.status(i);
    let total = match entry.and_then(|e| e.total(rubric)) {
        Some(v) => format!("{} {v}/{}", s.total, rubric.max_total()),
        None => {
            let part = entry.map(|e| e.partial_total(rubric)).unwrap_or(0);
            let n = entry.map(|e| e.scores.len()).unwrap_or(0);
            format!(
                "{} {part}/{} ({n}/{})",
                s.total,
                rubric.max_total(),
                rubric.criteria.len()
            )
        }
    };
    let mut title = format!("{} · {} {}", s.scoring, g.status(st), s.status(st));
    let recusal_saved = app
        .flash
        .as_ref()
        .is_some_and(|f| f.app == i && f.what == Saved::Recusal);
    if recusal_saved {
        title.push(' ');
        title.push_str(app.extra().flash_saved);
    }
    let mut b = block(app, title, has_focus);
    if st != Status::Recused {
        b = b.title_top(
            Line::styled(format!(" {total} "), t.value().patch(t.title(has_focus))).right_aligned(),
        );
    }
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let w = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();

    if st == Status::Recused {
        let reason = entry
            .map(|e| inert_line(&e.recuse_reason))
            .unwrap_or_default();
        for l in wrap(&fill(s.recused_banner, &[&reason]), w) {
            lines.push(Line::styled(l, t.warning()));
        }
        let key = app.key_name(Context::Scoring, Cmd::Recuse);
        for l in wrap(&fill(s.recused_locked, &[&key]), w) {
            lines.push(Line::styled(l, t.dim()));
        }
        frame.render_widget(Paragraph::new(lines), inner);
        return;
    }

    // A criterion by its name in the screen's language alone.
    let name = |c: &crate::domain::Criterion| inert_line(lang.pick(&c.name_zh, &c.name_en));
    let n = rubric.criteria.len();
    areas.hits.rows(inner, n, Target::Criterion);
    let name_w = rubric
        .criteria
        .iter()
        .map(|c| width(&name(c)))
        .max()
        .unwrap_or(8)
        .min(w / 2);
    let max_digits = rubric
        .criteria
        .iter()
        .map(|c| c.max.to_string().len().max(c.min.to_string().len()))
        .max()
        .unwrap_or(2);
    let (full, empty) = g.bar();
    let x = app.extra();
    let flash = app.flash.as_ref().filter(|f| f.app == i).map(|f| &f.what);
    for (k, c) in rubric.criteria.iter().enumerate() {
        let here = k == app.crit;
        let flashed = flash == Some(&Saved::Criterion(c.key.clone()));
        let value = entry.and_then(|e| e.scores.get(&c.key)).copied();
        let cursor = if here && has_focus { g.cursor() } else { " " };
        let boxed = if here && !app.digits.is_empty() {
            format!("[{}_]", pad_left(&app.digits, max_digits.saturating_sub(1)))
        } else {
            match value {
                Some(v) => format!("[{}]", pad_left(&v.to_string(), max_digits)),
                None => format!("[{}]", " ".repeat(max_digits)),
            }
        };
        let row_style = if here && has_focus {
            t.selected(true)
        } else {
            t.base()
        };
        let pending = here && !app.digits.is_empty();
        let box_style = if pending {
            t.warning().patch(row_style)
        } else if flashed {
            t.saved()
        } else {
            t.value().patch(row_style)
        };
        let mut spans = vec![
            Span::styled(format!("{cursor} "), row_style),
            Span::styled(fit(&name(c), name_w, "…"), row_style),
            Span::styled(" ", row_style),
            Span::styled(boxed, box_style),
            Span::styled(format!("/{}", c.max), row_style),
        ];
        if flashed {
            spans.push(Span::styled(format!(" {}", x.flash_saved), t.saved()));
        }
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        let rest = w.saturating_sub(used);
        let band = value
            .and_then(|v| c.band(v))
            .map(|b| inert_line(lang.pick(&b.name_zh, &b.name_en)))
            .unwrap_or_default();
        let band_w = width(&band);
        if rest >= 14 + band_w {
            let cells = (rest - band_w - 3).min(20);
            let span = (c.max - c.min).max(1);
            let filled = value
                .map(|v| (((v - c.min) * cells as i64 + span / 2) / span) as usize)
                .unwrap_or(0)
                .min(cells);
            spans.push(Span::styled(" ", row_style));
            spans.push(Span::styled(
                full.repeat(filled),
                t.status(Status::Complete).patch(row_style),
            ));
            spans.push(Span::styled(
                empty.repeat(cells - filled),
                t.dim().patch(row_style),
            ));
            spans.push(Span::styled(format!(" {band}"), row_style));
        } else if rest > band_w {
            spans.push(Span::styled(format!(" {band}"), row_style));
        }
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        if used < w {
            spans.push(Span::styled(" ".repeat(w - used), row_style));
        }
        lines.push(Line::from(spans));
    }

    // Guidance for the focused criterion: its band's when scored, else the
    // criterion's own with the bands.
    let lacks = match (st, entry) {
        (Status::Draft, Some(e)) => Some(lacks_text(app, e)),
        _ => None,
    };
    let guide_rows = (inner.height as usize)
        .saturating_sub(rubric.criteria.len() + 2 + lacks.is_some() as usize)
        .clamp(1, 2);
    if !app.digits.is_empty() {
        let hint = fill(x.pending_hint, &[&app.digits]);
        lines.push(Line::styled(fit(&hint, w, "…"), t.warning()));
    } else if let Some(c) = app.criterion() {
        let value = entry.and_then(|e| e.scores.get(&c.key)).copied();
        let text = match value.and_then(|v| c.band(v)) {
            Some(b) => format!(
                "{} {}–{}: {}",
                inert_line(lang.pick(&b.name_zh, &b.name_en)),
                b.min,
                b.max,
                inert_line(lang.pick(&b.guidance_zh, &b.guidance_en))
            ),
            None => {
                let bands: Vec<String> = c
                    .bands
                    .iter()
                    .map(|b| {
                        format!(
                            "{} {}–{}",
                            inert_line(lang.pick(&b.name_zh, &b.name_en)),
                            b.min,
                            b.max
                        )
                    })
                    .collect();
                format!(
                    "{} [{}]",
                    inert_line(lang.pick(&c.guidance_zh, &c.guidance_en)),
                    bands.join(" · ")
                )
            }
        };
        let wrapped = wrap(&text, w);
        let cut_off = wrapped.len() > guide_rows;
        for (n, l) in wrapped.into_iter().take(guide_rows).enumerate() {
            let l = if cut_off && n + 1 == guide_rows {
                cut(&format!("{l}{}", g.ellipsis()), w, g.ellipsis())
            } else {
                l
            };
            lines.push(Line::styled(l, t.dim()));
        }
    }

    if let Some(l) = &lacks {
        lines.push(Line::styled(fit(l, w, "…"), t.status(Status::Draft)));
    }

    let rec = match entry.and_then(|e| e.recommend) {
        Some(true) => (s.recommend_yes, t.status(Status::Complete)),
        Some(false) => (s.recommend_no, t.error()),
        None => (s.recommend_none, t.dim()),
    };
    let km = &app.basics.settings.keymap;
    let k = |c: Cmd| {
        km.first(Context::Scoring, c)
            .map(|k| k.to_string())
            .unwrap_or_default()
    };
    let comment = entry.map(|e| e.comment.as_str()).unwrap_or("");
    let count = entry.map(|e| e.comment_chars()).unwrap_or(0);
    let min = rubric.min_comment_chars as usize;
    let count_text = fill(s.comment_count, &[&count, &min]);
    let count_style = if count >= min {
        t.status(Status::Complete)
    } else {
        t.status(Status::Draft)
    };
    let rec_label = format!("{}: ", s.recommend);
    let mut rec_line = vec![
        Span::styled(rec_label.clone(), t.label()),
        Span::styled(
            rec.0,
            if flash == Some(&Saved::Recommend) {
                t.saved()
            } else {
                rec.1.patch(t.value())
            },
        ),
        Span::styled(
            format!("  ({}/{})", k(Cmd::Recommend), k(Cmd::NotRecommend)),
            t.dim(),
        ),
    ];
    let comment_label = format!("   {} ", s.comment);
    rec_line.push(Span::styled(comment_label, t.label()));
    rec_line.push(Span::styled(count_text, count_style));
    rec_line.push(Span::styled(format!("  ({})", k(Cmd::Comment)), t.dim()));
    if matches!(flash, Some(Saved::Comment | Saved::Recommend)) {
        rec_line.push(Span::styled(format!(" {}", x.flash_saved), t.saved()));
    }
    lines.push(Line::from(rec_line));
    let preview = if comment.is_empty() {
        s.comment_empty.to_string()
    } else {
        inert_line(comment)
    };
    let rows_left = (inner.height as usize).saturating_sub(lines.len()).max(1);
    let wrapped = wrap(&preview, w.saturating_sub(2).max(1));
    let more = wrapped.len() > rows_left;
    for (n, l) in wrapped.into_iter().take(rows_left).enumerate() {
        let l = if more && n + 1 == rows_left {
            cut(
                &format!("{l}{}", g.ellipsis()),
                w.saturating_sub(2),
                g.ellipsis(),
            )
        } else {
            l
        };
        lines.push(Line::styled(pad(&format!("  {l}"), w), t.base()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// What a draft lacks, in words: the criteria not scored, the comment's
/// length against the minimum, the recommendation.
pub(crate) fn lacks_text(app: &App, e: &Entry) -> String {
    let (x, lang) = (app.extra(), app.lang());
    let rubric = &app.session.rubric;
    let lacks = e.lacks(rubric);
    let mut parts: Vec<String> = Vec::new();
    let names: Vec<String> = lacks
        .criteria
        .iter()
        .filter_map(|k| rubric.criteria.iter().find(|c| &c.key == k))
        .map(|c| inert_line(lang.pick(&c.name_zh, &c.name_en)))
        .collect();
    if !names.is_empty() {
        parts.push(names.join(x.list_sep));
    }
    if let Some((have, need)) = lacks.comment {
        parts.push(fill(x.lacks_comment, &[&have, &need]));
    }
    if lacks.recommend {
        parts.push(x.lacks_recommend.to_string());
    }
    fill(x.lacks, &[&parts.join(" · ")])
}
