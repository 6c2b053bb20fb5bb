//! The application list: only the rows on screen are built, so a bundle of
//! ten thousand applications draws as fast as one of ten.

use crate::tui::ScreenBasics;
use crate::tui::kit::Look;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, focused};
use crate::domain::history::Status;
use crate::domain::text::inert_line;
use crate::tui::expert::{App, Areas, Focus, Target};
use crate::tui::text::{fit, highlight_fit, pad_left, tail, widest, width};

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect, areas: &mut Areas) {
    let show_search = app.searching || !app.query.is_empty();
    // The rows under the column heads (and above the search line).
    let rows_h = (area.height.saturating_sub(2) as usize).saturating_sub(1 + show_search as usize);
    // Keep the cursor in view.
    let n = app.visible.len();
    let offset = app.list.show(n, rows_h);
    let app = &*app;
    let Look { s, t, g } = app.look();
    let lang = app.lang();
    let has_focus = focused(app, Focus::List) || app.searching;
    let mut title = format!(
        "{} {}/{}",
        s.applications,
        app.visible.len(),
        app.session.apps.len()
    );
    if let Some(d) = app
        .dir_filter
        .and_then(|c| app.session.catalog.direction(c))
    {
        title.push_str(&format!(
            " · {} {}",
            d.code,
            inert_line(lang.pick(&d.short_zh, &d.short_en))
        ));
    }
    if let Some(st) = app.status_filter {
        title.push_str(&format!(" · {}", s.status(st)));
    }
    let title = crate::tui::text::cut(&title, (area.width as usize).saturating_sub(4), "…");
    let b = block(app, title, has_focus);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    areas.list = area;
    let w = inner.width as usize;
    areas.list_rows = rows_h as u16;
    areas.hits.add(area, Target::Pane(Focus::List));
    let rows_at = Rect::new(inner.x, inner.y + 1, inner.width, rows_h as u16);
    areas.hits.rows(rows_at, n.saturating_sub(offset), |k| {
        Target::Row(offset + k)
    });

    // Column widths: fixed cells, then title and lead unit share the rest.
    let id_w = app
        .visible
        .iter()
        .take(2000)
        .map(|&i| width(&app.rows[i].id))
        .max()
        .unwrap_or(4)
        .clamp(4, 16);
    let dir_w = widest(
        app.session
            .catalog
            .directions
            .iter()
            .map(|d| lang.pick(&d.short_zh, &d.short_en)),
        4,
    )
    .clamp(4, 10)
    .max(width(s.col_dir));
    let total_w = 3.max(width(s.col_total));
    let fixed = 3 + 1 + id_w + 1 + dir_w + 1 + 1 + total_w + 1;
    let rest = w.saturating_sub(fixed);
    let (title_w, lead_w) = if rest >= 24 {
        let tw = rest * 55 / 100;
        (tw, rest - tw - 1)
    } else {
        (rest, 0)
    };

    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    let mut head = format!(
        "    {} {} {}",
        fit(s.col_id, id_w, "…"),
        fit(s.col_dir, dir_w, "…"),
        fit(s.col_title, title_w, "…")
    );
    if lead_w > 0 {
        head.push(' ');
        head.push_str(&fit(s.col_lead, lead_w, "…"));
    }
    head.push(' ');
    head.push_str(&pad_left(s.col_total, total_w));
    lines.push(Line::styled(fit(&head, w, ""), t.dim()));

    if n == 0 {
        lines.push(Line::styled(s.no_match, t.dim()));
    }
    let ell = g.ellipsis();
    for (pos, &i) in app.visible.iter().enumerate().skip(offset).take(rows_h) {
        let row = &app.rows[i];
        let a = &app.session.apps[i];
        let st = app.status(i);
        let selected = pos == app.list.selected();
        let base = if selected {
            t.selected(has_focus)
        } else {
            t.base()
        };
        let hl = t.matched().patch(base);
        let mut spans: Vec<Span> = Vec::new();
        let cursor = if selected { g.cursor() } else { " " };
        spans.push(Span::styled(cursor, base));
        spans.push(Span::styled(g.status(st), t.status(st).patch(base)));
        let mark = if app.conflict(i).is_some() && st != Status::Recused {
            Span::styled("!", t.warning())
        } else {
            Span::styled(" ", base)
        };
        spans.push(mark);
        spans.push(Span::styled(" ", base));
        spans.extend(highlight_fit(
            &row.id,
            &app.highlights(&row.id),
            id_w,
            base,
            hl,
            ell,
        ));
        spans.push(Span::styled(" ", base));
        let dir = a
            .direction
            .and_then(|c| app.session.catalog.direction(c))
            .map(|d| inert_line(lang.pick(&d.short_zh, &d.short_en)))
            .unwrap_or_default();
        spans.push(Span::styled(fit(&dir, dir_w, ell), base));
        spans.push(Span::styled(" ", base));
        spans.extend(highlight_fit(
            &row.title,
            &app.highlights(&row.title),
            title_w,
            base,
            hl,
            ell,
        ));
        if lead_w > 0 {
            spans.push(Span::styled(" ", base));
            spans.extend(highlight_fit(
                &row.lead,
                &app.highlights(&row.lead),
                lead_w,
                base,
                hl,
                ell,
            ));
        }
        spans.push(Span::styled(" ", base));
        let total = match (st, app.entry(i)) {
            (Status::Recused, _) | (_, None) => String::new(),
            (_, Some(e)) => match e.total(&app.session.rubric) {
                Some(v) => v.to_string(),
                None if e.scores.is_empty() => String::new(),
                None => format!("{}+", e.partial_total(&app.session.rubric)),
            },
        };
        spans.push(Span::styled(
            pad_left(&total, total_w),
            base.patch(t.value()),
        ));
        let used: usize = spans.iter().map(|s| width(&s.content)).sum();
        if used < w {
            spans.push(Span::styled(" ".repeat(w - used), base));
        }
        lines.push(Line::from(spans));
    }

    if show_search {
        let above = (inner.height as usize).saturating_sub(1);
        lines.truncate(above);
        while lines.len() < above {
            lines.push(Line::raw(""));
        }
        let q = inert_line(&app.query);
        let prompt = format!("/ {} ", s.search_prompt);
        let room = w.saturating_sub(width(&prompt) + 1);
        // Show the end of a long query, where the typing happens.
        let shown = tail(&q, room);
        lines.push(Line::from(vec![
            Span::styled(prompt.clone(), t.key()),
            Span::styled(shown.clone(), t.input()),
        ]));
        if app.searching {
            let x = inner.x + (width(&prompt) + width(&shown)) as u16;
            let y = inner.y + inner.height - 1;
            frame.set_cursor_position(Position::new(x.min(inner.right().saturating_sub(1)), y));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
