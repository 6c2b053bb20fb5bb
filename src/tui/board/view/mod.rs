//! Drawing the board: `draw(frame, &board)` paints the screen from the
//! board's state and changes nothing but the remembered scroll limits.
//! Every string from the merged file passes through `inert_line` first.

use crate::tui::ScreenBasics;
use crate::tui::kit::Look;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::strings::BoardKey;
use super::{Board, Focus, Target, Trust, View};
use crate::domain::text::inert_line;
use crate::formats::merged::{Figures, MergedApp};
use crate::tui::action::{Cmd, Context};
use crate::tui::kit::frame::{Hints, SlashHints, footer_hints};
use crate::tui::strings::fill;
use crate::tui::text::{cut, fit, pad, pad_left, widest, width, wrap};
use crate::tui::theme::{Glyphs, Theme};

/// Paints the board.
pub fn draw(frame: &mut Frame, b: &mut Board) {
    let Some(parts) = b.frame_with(frame, 0, header, footer) else {
        return;
    };
    let (area, body) = (parts.all, parts.body);
    let (focus, wide) = (b.focus, b.is_wide());
    b.hits.clear();
    match b.view {
        View::Experts => experts(frame, b, body),
        View::Ranking if wide => {
            let list_w = body.width * 11 / 20;
            let [l, r] =
                Layout::horizontal([Constraint::Length(list_w), Constraint::Min(20)]).areas(body);
            ranking(frame, b, l, focus == Focus::List);
            application(frame, b, r, focus == Focus::Detail);
        }
        View::Ranking if focus == Focus::Detail => application(frame, b, body, true),
        View::Ranking => ranking(frame, b, body, true),
    }
    if b.help {
        help(frame, b, area);
    }
    if let Some(ed) = &b.editor {
        let bs = b.b();
        let target = match &b.desk {
            Some(d) => fill(
                bs.opinion_target,
                &[&inert_line(&d.path().display().to_string())],
            ),
            None => String::new(),
        };
        let text = super::opinions::EditorText {
            title: bs.opinion,
            count: fill(bs.opinion_count, &[&ed.edit.visible_len()]),
            draft_note: bs.opinion_draft_note,
            hint: bs.opinion_hint,
            target,
        };
        ed.draw(frame, b.theme(), area, &text);
    }
}

fn block<'a>(t: Theme, title: String, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Span::styled(format!(" {title} "), t.title(focused)))
}

/// Left and right parts on one line of exactly `w` columns; the left part
/// gives way.
fn spread(left: String, right: Vec<Span<'static>>, w: usize, style: Style) -> Line<'static> {
    let rw: usize = right.iter().map(|s| width(&s.content)).sum();
    let left = fit(&left, w.saturating_sub(rw), "…");
    let mut out = vec![Span::styled(left, style)];
    out.extend(right);
    Line::from(out).style(style)
}

fn header(frame: &mut Frame, b: &Board, area: Rect) {
    let t = b.theme();
    let bs = b.b();
    let g = b.basics.settings.glyphs;
    let hs = t.header();
    let p = &b.payload;
    let w = area.width as usize;
    let left = format!(
        " {} · {} · {}",
        bs.merged,
        inert_line(&p.bundle.call),
        inert_line(&p.bundle.panel)
    );
    let badge = match &b.trust {
        Trust::Verified(id) => Span::styled(
            format!("{} {} ", g.ok(), fill(bs.verified, &[&inert_line(id)])),
            t.saved(),
        ),
        Trust::Signed(id) => Span::styled(
            format!("{} ", fill(bs.signed_unverified, &[&inert_line(id)])),
            hs,
        ),
        Trust::Unsigned => Span::styled(format!(" {} {} ", g.fail(), bs.unsigned), t.warning()),
    };
    let line1 = spread(left, vec![badge], w, hs);
    let where_ = match (b.view, b.direction()) {
        (View::Ranking, Some(d)) => format!(
            " {}",
            fill(
                bs.direction_of,
                &[
                    &(b.dir + 1),
                    &b.directions().len(),
                    &d,
                    &inert_line(&p.direction_name(d, b.lang(), false)),
                ]
            )
        ),
        _ => format!(" {}", bs.experts_view),
    };
    let flagged = p.applications.iter().filter(|a| a.flagged()).count();
    let summary = fill(
        bs.summary,
        &[
            &bs.rule(p.method.rule),
            &p.inputs.len(),
            &p.applications.len(),
            &flagged,
        ],
    );
    let summary = if width(&where_) + width(&summary) + 2 > w {
        fill(bs.summary_short, &[&p.applications.len(), &flagged])
    } else {
        summary
    };
    let summary = match &b.desk {
        Some(d) => format!(
            "{} · {summary}",
            fill(bs.opinions_header, &[&d.count(), &p.applications.len()])
        ),
        None => summary,
    };
    let line2 = spread(where_, vec![Span::styled(format!("{summary} "), hs)], w, hs);
    frame.render_widget(Paragraph::new(vec![line1, line2]).style(hs), area);
}

fn footer(frame: &mut Frame, b: &Board, area: Rect) {
    let Look { s, t, .. } = b.look();
    let bs = b.b();
    // The opinion just saved (or why not) takes the hints' place.
    match &b.opinion_note {
        Some(Ok(m)) => {
            let text = fit(&inert_line(m), area.width as usize, "…");
            frame.render_widget(Paragraph::new(Line::styled(text, t.saved())), area);
            return;
        }
        Some(Err(m)) => {
            let text = fit(&inert_line(m), area.width as usize, "…");
            frame.render_widget(Paragraph::new(Line::styled(text, t.error())), area);
            return;
        }
        None => {}
    }
    // The summary just written (or why not) takes the hints' place.
    match &b.message {
        Some(Ok(p)) => {
            let line = fill(bs.summary_written, &[&inert_line(p)]);
            let text = fit(&line, area.width as usize, "…");
            frame.render_widget(Paragraph::new(Line::styled(text, t.value())), area);
            return;
        }
        Some(Err(e)) => {
            let line = fill(bs.summary_failed, &[&inert_line(e)]);
            let text = fit(&line, area.width as usize, "…");
            frame.render_widget(Paragraph::new(Line::styled(text, t.error())), area);
            return;
        }
        None => {}
    }
    let mut hints = Hints::new(&b.basics.settings.keymap, b.context());
    if b.help {
        hints.cmd(Cmd::Back, s.hint_close);
    } else {
        match (b.view, b.focus) {
            (View::Ranking, Focus::List) => {
                hints.push(hints.both(Cmd::Down, Cmd::Up), s.hint_move);
                hints.cmd(Cmd::Open, s.cmd_short(Cmd::Open));
            }
            _ => hints.push(hints.both(Cmd::Down, Cmd::Up), s.hint_scroll),
        }
        hints.push(
            hints.both(Cmd::PrevDirection, Cmd::NextDirection),
            bs.hint_direction,
        );
        let view = match b.view {
            View::Ranking => bs.hint_experts,
            View::Experts => bs.hint_ranking,
        };
        hints.cmd(Cmd::FocusNext, view);
        if b.desk.is_some()
            && b.view == View::Ranking
            && let Some(k) = b
                .basics
                .settings
                .keymap
                .keys(Context::Scoring, Cmd::Comment)
                .first()
        {
            hints.push(k.to_string(), bs.hint_opinion);
        }
        if b.focus == Focus::Detail || b.view == View::Experts {
            hints.cmd(Cmd::Back, s.cmd_short(Cmd::Back));
        }
    }
    let tail = hints.tail(|c| s.cmd_short(c));
    footer_hints(frame, t, area, hints.list, tail, SlashHints::Drop);
}

/// The short flag words of an application, and whether any is a warning
/// (a tie alone is not).
fn flag_words(b: &Board, a: &MergedApp) -> (String, bool) {
    let bs = b.b();
    let f = &a.flags;
    let mut w = Vec::new();
    if f.all_recused {
        w.push(bs.f_recused);
    } else if f.below_quorum {
        w.push(bs.f_quorum);
    }
    if f.high_disagreement {
        w.push(bs.f_split);
    }
    if !f.outliers.is_empty() {
        w.push(bs.f_outlier);
    }
    if f.rank_unstable {
        w.push(bs.f_unstable);
    }
    if !a.findings.is_empty() {
        w.push(bs.f_ineligible);
    }
    let warn = !w.is_empty();
    if a.tie_break.is_some() {
        w.push(bs.f_tie);
    }
    (w.join(" "), warn)
}

fn total_pick(b: &Board, a: &MergedApp) -> String {
    a.total
        .as_ref()
        .map(|t| t.pick(b.payload.method.rule).to_string())
        .unwrap_or_default()
}

/// The ranking table of the current direction.
fn ranking(frame: &mut Frame, b: &mut Board, area: Rect, focused: bool) {
    // The rows under the column heads, the cursor in view.
    let page = (area.height.saturating_sub(2) as usize)
        .saturating_sub(1)
        .max(1);
    let n = b.ranked().len();
    let off = b.list.show(n, page);
    let b = &*b;
    let t = b.theme();
    let bs = b.b();
    let g = b.basics.settings.glyphs;
    let rows = b.ranked();
    let title = match b.direction() {
        Some(d) => format!(
            "{} · {} {} ({})",
            bs.ranking,
            d,
            inert_line(&b.payload.direction_name(d, b.lang(), true)),
            rows.len()
        ),
        None => bs.ranking.to_string(),
    };
    let blk = block(t, title, focused);
    let inner = blk.inner(area);
    frame.render_widget(blk, area);
    b.hits.add(area, Target::Pane(Focus::List));
    let rows_at = Rect::new(inner.x, inner.y + 1, inner.width, page as u16);
    b.hits.rows(rows_at, rows.len().saturating_sub(off), |k| {
        Target::Row(off + k)
    });
    let w = inner.width as usize;
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {}", bs.no_applications), t.dim())),
            inner,
        );
        return;
    }
    let id_w = widest(rows.iter().map(|a| &a.id), 4).clamp(width(bs.col_id), 14);
    let flags: Vec<(String, bool)> = rows.iter().map(|a| flag_words(b, a)).collect();
    let flags_w = flags
        .iter()
        .map(|f| width(&f.0))
        .max()
        .unwrap_or(0)
        .clamp(width(bs.col_flags), 24);
    let num_w = 9;
    // cursor 2, rank 4+1, id+1, title, n 4+1, total 9+1, rec 6+1, flags.
    let fixed = 2 + 5 + (id_w + 1) + 5 + (num_w + 1) + 7 + flags_w;
    let extras = w >= fixed + 3 * (num_w + 1) + 24;
    let title_w = w
        .saturating_sub(fixed + if extras { 3 * (num_w + 1) } else { 0 })
        .max(6);
    let mut head = vec![
        "  ".to_string(),
        pad_left(bs.col_rank, 4),
        " ".into(),
        fit(bs.col_id, id_w, "…"),
        " ".into(),
        fit(bs.col_title, title_w, "…"),
        pad_left(bs.col_n, 4),
        " ".into(),
        pad_left(&cut(bs.col_total, num_w, ""), num_w),
        " ".into(),
    ];
    if extras {
        for h in [bs.col_mean, bs.col_median, bs.col_std] {
            head.push(pad_left(&cut(h, num_w, ""), num_w));
            head.push(" ".into());
        }
    }
    head.push(pad_left(&cut(bs.col_rec, 6, ""), 6));
    head.push(" ".into());
    head.push(fit(bs.col_flags, flags_w, "…"));
    let mut lines = vec![Line::styled(head.concat(), t.label())];
    for (i, a) in rows.iter().enumerate().skip(off).take(page) {
        let sel = i == b.list.selected();
        let unscored = a.total.is_none();
        let base = if unscored { t.dim() } else { t.base() };
        let rank = a
            .rank
            .map(|r| r.to_string())
            .unwrap_or_else(|| bs.unranked.to_string());
        let mut spans = vec![
            Span::styled(
                if sel {
                    format!("{} ", g.cursor())
                } else {
                    "  ".into()
                },
                t.key(),
            ),
            Span::styled(format!("{} ", pad_left(&rank, 4)), t.value().patch(base)),
            Span::styled(format!("{} ", fit(&inert_line(&a.id), id_w, "…")), base),
            Span::styled(fit(&inert_line(&a.title), title_w, g.ellipsis()), base),
            Span::styled(
                format!("{} ", pad_left(&a.scorers.len().to_string(), 4)),
                base,
            ),
            Span::styled(
                format!("{} ", pad_left(&total_pick(b, a), num_w)),
                t.value().patch(base),
            ),
        ];
        if extras {
            let f = a.total.as_ref();
            for v in [
                f.map(|x| x.mean.clone()),
                f.map(|x| x.median.clone()),
                f.map(|x| x.std.clone()),
            ] {
                spans.push(Span::styled(
                    format!("{} ", pad_left(&v.unwrap_or_default(), num_w)),
                    base,
                ));
            }
        }
        let rec = if unscored {
            String::new()
        } else {
            format!("{}/{}", a.recommend_yes, a.recommend_no)
        };
        spans.push(Span::styled(format!("{} ", pad_left(&rec, 6)), base));
        let (fw, warn) = &flags[i];
        let fs = if *warn { t.error() } else { t.dim() };
        spans.push(Span::styled(fit(fw, flags_w, "…"), fs));
        let mut line = Line::from(spans);
        if sel {
            line = line.style(t.selected(focused));
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `label` padded to `label_w`, then `value` wrapped under itself.
fn field(
    label: &str,
    value: &str,
    w: usize,
    label_w: usize,
    t: Theme,
    vs: Style,
) -> Vec<Line<'static>> {
    let vw = w.saturating_sub(label_w + 1).max(8);
    wrap(value, vw)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let head = if i == 0 {
                pad(label, label_w)
            } else {
                " ".repeat(label_w)
            };
            Line::from(vec![
                Span::styled(head, t.label()),
                Span::raw(" "),
                Span::styled(l, vs),
            ])
        })
        .collect()
}

/// A histogram of `values` over the scale `lo..=hi` in steps of `step`,
/// at most 26 columns (points share a column when there are more), each
/// `cell` cells wide: the bars and an axis labelled at both ends and the
/// middle.
pub fn histogram(
    values: &[i64],
    lo: i64,
    hi: i64,
    step: i64,
    cell: usize,
    g: Glyphs,
) -> (String, String) {
    const MAX_COLS: i64 = 26;
    let step = step.max(1);
    let points = ((hi - lo) / step + 1).max(1);
    let bucket = (points + MAX_COLS - 1) / MAX_COLS;
    let cols = ((points + bucket - 1) / bucket) as usize;
    let mut counts = vec![0usize; cols];
    for v in values {
        let c = ((v.saturating_sub(lo) / step) / bucket).clamp(0, cols as i64 - 1) as usize;
        counts[c] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0).max(1);
    const LEVELS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
    let mut bars = String::new();
    for &c in &counts {
        let glyph = match (g, c) {
            (Glyphs::Unicode, 0) => "·".to_string(),
            (Glyphs::Ascii, 0) => ".".to_string(),
            (Glyphs::Unicode, c) => LEVELS[(8 * c).div_ceil(top).clamp(1, 8) - 1].to_string(),
            (Glyphs::Ascii, c) if c > 9 => "+".to_string(),
            (Glyphs::Ascii, c) => c.to_string(),
        };
        for _ in 0..cell {
            bars.push_str(&glyph);
        }
    }
    let total = cols * cell;
    let mut axis: Vec<char> = vec![' '; total];
    let mut put = |at: usize, s: &str| {
        let at = at.min(total.saturating_sub(s.len()));
        for (i, ch) in s.chars().enumerate() {
            if let Some(x) = axis.get_mut(at + i) {
                *x = ch;
            }
        }
    };
    let mid = lo + ((cols as i64 / 2) * bucket) * step;
    put(0, &lo.to_string());
    put((cols / 2) * cell, &mid.to_string());
    put(total, &hi.to_string());
    (bars, axis.into_iter().collect())
}

/// The statistics of a row, as lines of at most `w` columns that break
/// only between figures.
fn stats_lines(b: &Board, f: &Figures, w: usize) -> Vec<String> {
    let text = fill(
        b.b().stats_line,
        &[&f.mean, &f.median, &f.trimmed, &f.std, &f.min, &f.max],
    );
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for part in text.split(" · ") {
        if cur.is_empty() {
            cur = part.to_string();
        } else if width(&cur) + 3 + width(part) <= w {
            cur.push_str(" · ");
            cur.push_str(part);
        } else {
            out.push(std::mem::take(&mut cur));
            cur = part.to_string();
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A criterion's name for a narrow column: itself up to 8 columns, else
/// its first 4 columns and a dot.
fn short(s: &str) -> String {
    if width(s) <= 8 {
        s.to_string()
    } else {
        format!("{}.", cut(s, 4, ""))
    }
}

/// One row of the distribution: a criterion or the total.
struct Dist<'a> {
    name: String,
    lo: i64,
    hi: i64,
    step: i64,
    vals: Vec<i64>,
    figs: Option<&'a Figures>,
}

/// The lines of one application's details.
pub fn application_lines(b: &Board, a: &MergedApp, w: usize) -> Vec<Line<'static>> {
    let t = b.theme();
    let bs = b.b();
    let g = b.basics.settings.glyphs;
    let p = &b.payload;
    let lang = b.lang();
    let labels = [
        bs.lead_unit,
        bs.authority,
        bs.direction,
        bs.rank,
        bs.ranks_by_rule,
        bs.tie,
        bs.scorers,
        bs.recused_by,
        bs.flags,
        bs.findings,
    ];
    let lw = labels.iter().map(|l| width(l)).max().unwrap_or(8);
    let mut out: Vec<Line<'static>> = Vec::new();
    for l in wrap(
        &format!("{}  {}", inert_line(&a.id), inert_line(&a.title)),
        w,
    ) {
        out.push(Line::styled(l, t.heading()));
    }
    let lead = format!(
        "{}  ({} {})",
        inert_line(&a.lead_unit),
        bs.sme,
        if a.sme { bs.yes } else { bs.no }
    );
    out.extend(field(bs.lead_unit, &lead, w, lw, t, t.base()));
    out.extend(field(
        bs.authority,
        &inert_line(&a.authority),
        w,
        lw,
        t,
        t.base(),
    ));
    let dir = format!(
        "{} {}",
        a.direction,
        inert_line(&p.direction_name(a.direction, lang, false))
    );
    out.extend(field(bs.direction, &dir, w, lw, t, t.base()));
    let rank = match a.rank {
        Some(r) => fill(bs.rank_line, &[&r, &bs.rule(p.method.rule)]),
        None => bs.unranked.to_string(),
    };
    out.extend(field(bs.rank, &rank, w, lw, t, t.value()));
    if !a.ranks.is_empty() {
        let rs: Vec<String> = ["mean", "trimmed", "median", "zscore"]
            .iter()
            .filter_map(|k| a.ranks.get(*k).map(|r| format!("{} {r}", bs.rank_key(k))))
            .collect();
        out.extend(field(bs.ranks_by_rule, &rs.join(" · "), w, lw, t, t.base()));
    }
    if let Some(note) = &a.tie_break {
        out.extend(field(bs.tie, &inert_line(note), w, lw, t, t.base()));
    }
    let sc = fill(
        bs.scorers_line,
        &[
            &a.scorers.len(),
            &a.recused.len(),
            &a.recommend_yes,
            &a.recommend_no,
        ],
    );
    out.extend(field(bs.scorers, &sc, w, lw, t, t.base()));
    if !a.recused.is_empty() {
        let r: Vec<String> = a.recused.iter().map(|x| inert_line(x)).collect();
        out.extend(field(bs.recused_by, &r.join(" "), w, lw, t, t.dim()));
    }
    let f = &a.flags;
    // The scale the merge flagged against (a rubric without range counts as 1).
    let scale = b
        .payload
        .rubric
        .criteria
        .iter()
        .map(|c| (c.max - c.min) * c.weight)
        .sum::<i64>()
        .max(1);
    let mut flags: Vec<String> = Vec::new();
    if f.all_recused {
        flags.push(bs.fl_recused.to_string());
    } else if f.below_quorum {
        flags.push(fill(bs.fl_quorum, &[&a.scorers.len(), &p.method.quorum]));
    }
    if f.high_disagreement {
        let range = a.total.as_ref().map(|x| x.max - x.min).unwrap_or(0);
        let threshold = crate::domain::aggregate::Q::new(
            (p.method.disagreement_pct as i128) * (scale as i128),
            100,
        );
        let shown = if threshold.den == 1 {
            threshold.num.to_string()
        } else {
            threshold.fixed()
        };
        flags.push(fill(bs.fl_split, &[&range, &shown]));
    }
    if !f.outliers.is_empty() {
        let o: Vec<String> = f.outliers.iter().map(|x| inert_line(x)).collect();
        flags.push(fill(bs.fl_outlier, &[&o.join(" ")]));
    }
    if f.rank_unstable {
        flags.push(fill(bs.fl_unstable, &[&p.method.rank_shift]));
    }
    if flags.is_empty() {
        out.extend(field(bs.flags, bs.no_flags, w, lw, t, t.dim()));
    } else {
        for (i, fl) in flags.iter().enumerate() {
            let label = if i == 0 { bs.flags } else { "" };
            out.extend(field(label, fl, w, lw, t, t.error()));
        }
    }
    // The bundle's eligibility findings: text of the bundle, shown inert.
    let excluded = p.excluded.iter().any(|x| x.id == a.id);
    for (i, fnd) in a.findings.iter().enumerate() {
        let label = if i == 0 { bs.findings } else { "" };
        let text = format!(
            "{}: {}",
            inert_line(&fnd.rule),
            inert_line(lang.pick(&fnd.detail_zh, &fnd.detail_en))
        );
        out.extend(field(label, &text, w, lw, t, t.error()));
    }
    if excluded {
        out.extend(field("", bs.excluded_note, w, lw, t, t.error()));
    }

    // The distribution per criterion, then of the total.
    out.push(Line::raw(""));
    out.push(Line::styled(bs.distribution.to_string(), t.heading()));
    if a.by_expert.is_empty() {
        out.push(Line::styled(format!("  {}", bs.no_scores), t.dim()));
        return out;
    }
    let cell = if w >= 2 * 26 + 4 { 2 } else { 1 };
    let mut rows: Vec<Dist> = Vec::new();
    for c in &p.rubric.criteria {
        let vals: Vec<i64> = a
            .by_expert
            .iter()
            .filter_map(|m| m.scores.get(&c.key).copied())
            .collect();
        let name = lang.pick(&c.name_zh, &c.name_en).to_string();
        rows.push(Dist {
            name,
            lo: c.min,
            hi: c.max,
            step: c.step,
            vals,
            figs: a.criteria.get(&c.key),
        });
    }
    let (tmin, tmax): (i64, i64) = p.rubric.criteria.iter().fold((0, 0), |(lo, hi), c| {
        (lo + c.min * c.weight, hi + c.max * c.weight)
    });
    let totals: Vec<i64> = a.by_expert.iter().map(|m| m.total).collect();
    rows.push(Dist {
        name: bs.total.to_string(),
        lo: tmin,
        hi: tmax,
        step: 1,
        vals: totals,
        figs: a.total.as_ref(),
    });
    for Dist {
        name,
        lo,
        hi,
        step,
        vals,
        figs,
    } in rows
    {
        out.push(Line::from(vec![
            Span::styled(format!("  {}", inert_line(&name)), t.label()),
            Span::styled(format!("  {lo}–{hi} · n {}", vals.len()), t.dim()),
        ]));
        let (bars, axis) = histogram(&vals, lo, hi, step, cell, g);
        out.push(Line::styled(format!("    {bars}"), t.key()));
        out.push(Line::styled(format!("    {axis}"), t.dim()));
        if let Some(f) = figs {
            for l in stats_lines(b, f, w.saturating_sub(4).max(8)) {
                out.push(Line::styled(format!("    {l}"), t.base()));
            }
        }
    }

    // Each expert's marks, the total as a bar.
    out.push(Line::raw(""));
    out.push(Line::styled(bs.marks.to_string(), t.heading()));
    let id_w = widest(a.by_expert.iter().map(|m| &m.expert), 3).max(width(bs.col_expert));
    let crit_w: Vec<usize> = p
        .rubric
        .criteria
        .iter()
        .map(|c| width(&short(lang.pick(&c.name_zh, &c.name_en))).max(3))
        .collect();
    let rec_w = width(bs.recommend_yes).max(width(bs.recommend_no));
    let fixed = 2 + id_w + 1 + crit_w.iter().map(|x| x + 1).sum::<usize>() + 5 + 1 + rec_w + 3;
    let bar_w = w.saturating_sub(fixed).clamp(4, 20);
    let mut head = format!("  {} ", pad(bs.col_expert, id_w));
    for (c, cw) in p.rubric.criteria.iter().zip(&crit_w) {
        head.push_str(&pad_left(&short(lang.pick(&c.name_zh, &c.name_en)), *cw));
        head.push(' ');
    }
    head.push_str(&pad_left(&cut(bs.total, 5, ""), 5));
    head.push(' ');
    head.push_str(&" ".repeat(bar_w + 1));
    head.push_str(bs.col_rec);
    out.push(Line::styled(head, t.label()));
    let (full, empty) = g.bar();
    let span = (tmax - tmin).max(1);
    for m in &a.by_expert {
        let far = f.outliers.contains(&m.expert);
        let st = if far { t.error() } else { t.base() };
        let mut cells = format!(
            "{} {} ",
            if far { "!" } else { " " },
            pad(&inert_line(&m.expert), id_w)
        );
        for (c, cw) in p.rubric.criteria.iter().zip(&crit_w) {
            let v = m
                .scores
                .get(&c.key)
                .map(|v| v.to_string())
                .unwrap_or_default();
            cells.push_str(&pad_left(&v, *cw));
            cells.push(' ');
        }
        cells.push_str(&pad_left(&m.total.to_string(), 5));
        cells.push(' ');
        let filled = ((m.total.saturating_sub(tmin).clamp(0, span) as usize) * bar_w
            + (span as usize) / 2)
            / span as usize;
        let bar = format!(
            "{}{}",
            full.repeat(filled),
            empty.repeat(bar_w.saturating_sub(filled))
        );
        let rec = if m.recommend {
            bs.recommend_yes
        } else {
            bs.recommend_no
        };
        out.push(Line::from(vec![
            Span::styled(cells, st),
            Span::styled(bar, t.key()),
            Span::styled(format!(" {rec}"), st),
        ]));
    }

    // The panel's opinion (专家组意见): the chair's text, shown inert.
    out.push(Line::raw(""));
    out.push(Line::styled(bs.opinion.to_string(), t.heading()));
    match b.opinion_of(a) {
        Some(o) => {
            for para in o.text.split('\n') {
                for l in wrap(&inert_line(para), w.saturating_sub(2).max(8)) {
                    out.push(Line::styled(format!("  {l}"), t.base()));
                }
            }
            out.push(Line::styled(
                format!(
                    "  {}",
                    fill(
                        bs.opinion_changed,
                        &[&crate::support::clock::show_local(&o.time), &o.seq]
                    )
                ),
                t.dim(),
            ));
        }
        None => {
            let key = b
                .basics
                .settings
                .keymap
                .keys(Context::Scoring, Cmd::Comment)
                .first()
                .map(|k| k.to_string())
                .unwrap_or_default();
            out.push(Line::styled(
                format!("  {}", fill(bs.no_opinion, &[&key])),
                t.dim(),
            ));
        }
    }

    // Each expert's comment (评审意见): the experts' text, shown inert.
    out.push(Line::raw(""));
    out.push(Line::styled(bs.comments.to_string(), t.heading()));
    for m in &a.by_expert {
        let rec = if m.recommend {
            bs.recommend_yes
        } else {
            bs.recommend_no
        };
        out.push(Line::styled(
            format!("  {}  {rec}", inert_line(&m.expert)),
            t.label(),
        ));
        let text = inert_line(m.comment.trim());
        if text.is_empty() {
            out.push(Line::styled(format!("    {}", bs.no_comment), t.dim()));
        } else {
            for l in wrap(&text, w.saturating_sub(4).max(8)) {
                out.push(Line::styled(format!("    {l}"), t.base()));
            }
        }
    }
    out
}

fn application(frame: &mut Frame, b: &mut Board, area: Rect, focused: bool) {
    let t = b.theme();
    let bs = b.b();
    let blk = block(t, bs.application.to_string(), focused);
    let inner = blk.inner(area);
    frame.render_widget(blk, area);
    b.hits.add(area, Target::Pane(Focus::Detail));
    let Some(a) = b.current() else {
        b.detail.empty();
        return;
    };
    let w = (inner.width as usize).saturating_sub(1).max(10);
    let lines = application_lines(b, a, w);
    let scroll = b.detail.fit(lines.len(), inner.height as usize);
    let para = Paragraph::new(lines).scroll((scroll as u16, 0));
    frame.render_widget(
        para,
        Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(1),
            ..inner
        },
    );
}

/// The lines of the experts view: statistics, agreement, files left out,
/// the method.
pub fn experts_lines(b: &Board, w: usize) -> Vec<Line<'static>> {
    let t = b.theme();
    let bs = b.b();
    let g = b.basics.settings.glyphs;
    let p = &b.payload;
    let lang = b.lang();
    let mut out: Vec<Line<'static>> = vec![Line::styled(bs.experts.to_string(), t.heading())];
    let id_w = widest(p.experts.iter().map(|e| &e.expert), 3).max(width(bs.col_expert));
    let name_of = |id: &str| {
        p.inputs
            .iter()
            .find(|i| i.expert == id)
            .map(|i| inert_line(&i.name))
            .unwrap_or_default()
    };
    let name_w = p
        .experts
        .iter()
        .map(|e| width(&name_of(&e.expert)))
        .max()
        .unwrap_or(4)
        .clamp(width(bs.col_name), 16);
    let nums = [
        (bs.col_scored, 6usize),
        (bs.col_recused, 7),
        (bs.col_given, 10),
        (bs.col_leniency, 9),
    ];
    let bar_half = 6usize;
    let mut head = format!(
        "  {} {} ",
        pad(bs.col_expert, id_w),
        pad(bs.col_name, name_w)
    );
    for (h, nw) in nums {
        head.push_str(&pad_left(&cut(h, nw, ""), nw));
        head.push(' ');
    }
    out.push(Line::styled(head, t.label()));
    let len_of = |s: &Option<String>| s.as_deref().and_then(|x| x.parse::<f64>().ok());
    let widest = p
        .experts
        .iter()
        .filter_map(|e| len_of(&e.leniency))
        .fold(0.0f64, |m, x| m.max(x.abs()))
        .max(0.0001);
    let (full, empty) = g.bar();
    for e in &p.experts {
        let mut cells = format!(
            "  {} {} ",
            pad(&inert_line(&e.expert), id_w),
            fit(&name_of(&e.expert), name_w, "…")
        );
        let vals = [
            e.scored.to_string(),
            e.recused.to_string(),
            e.mean_given.clone().unwrap_or_default(),
            e.leniency.clone().unwrap_or_default(),
        ];
        for ((_, nw), v) in nums.iter().zip(vals) {
            cells.push_str(&pad_left(&v, *nw));
            cells.push(' ');
        }
        // A bar centred on 0: severe to the left, lenient to the right.
        let l = len_of(&e.leniency).unwrap_or(0.0);
        let n = ((l.abs() / widest) * bar_half as f64).round() as usize;
        let n = n.min(bar_half);
        let (left, right) = if l < 0.0 {
            (
                format!("{}{}", empty.repeat(bar_half - n), full.repeat(n)),
                empty.repeat(bar_half),
            )
        } else {
            (
                empty.repeat(bar_half),
                format!("{}{}", full.repeat(n), empty.repeat(bar_half - n)),
            )
        };
        let room = w.saturating_sub(width(&cells));
        let mut spans = vec![Span::styled(cells, t.base())];
        if room > 2 * bar_half {
            spans.push(Span::styled(left, t.key()));
            spans.push(Span::styled("|".to_string(), t.dim()));
            spans.push(Span::styled(right, t.key()));
        }
        out.push(Line::from(spans));
    }

    // Agreement per direction and criterion.
    out.push(Line::raw(""));
    for l in wrap(bs.agreement, w) {
        out.push(Line::styled(l, t.heading()));
    }
    let dir_w = p
        .directions
        .iter()
        .map(|d| {
            width(&format!(
                "{} {}",
                d.code,
                inert_line(lang.pick(&d.short_zh, &d.short_en))
            ))
        })
        .max()
        .unwrap_or(4)
        .clamp(width(bs.direction), 18);
    let names: Vec<String> = p
        .rubric
        .criteria
        .iter()
        .map(|c| inert_line(lang.pick(&c.name_zh, &c.name_en)))
        .collect();
    let full_w = names.iter().map(|n| width(n)).max().unwrap_or(6).max(7);
    let fits = 2 + dir_w + 1 + names.len() * (full_w + 1) + 7 <= w;
    let (cw, names): (usize, Vec<String>) = if fits {
        (full_w, names)
    } else {
        (7, names.iter().map(|n| short(n)).collect())
    };
    let mut head = format!("  {} ", pad(bs.direction, dir_w));
    for n in &names {
        head.push_str(&pad_left(n, cw));
        head.push(' ');
    }
    head.push_str(&pad_left(bs.col_values, 7));
    out.push(Line::styled(head, t.label()));
    for d in &p.directions {
        let name = format!(
            "{} {}",
            d.code,
            inert_line(lang.pick(&d.short_zh, &d.short_en))
        );
        let mut line = format!("  {} ", fit(&name, dir_w, "…"));
        let mut values = 0;
        for c in &p.rubric.criteria {
            let a = p
                .agreement
                .iter()
                .find(|a| a.direction == d.code && a.criterion == c.key);
            let alpha = a
                .and_then(|a| a.alpha.clone())
                .unwrap_or_else(|| "—".into());
            values = values.max(a.map(|a| a.pairable_values).unwrap_or(0));
            line.push_str(&pad_left(&alpha, cw));
            line.push(' ');
        }
        line.push_str(&pad_left(&values.to_string(), 7));
        out.push(Line::styled(line, t.base()));
    }

    if !p.left_out.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled(bs.left_out.to_string(), t.heading()));
        for l in &p.left_out {
            let text = format!(
                "  {}  {}  {}",
                inert_line(&l.file),
                inert_line(&l.reason),
                inert_line(&l.detail)
            );
            out.push(Line::styled(cut(&text, w, g.ellipsis()), t.dim()));
        }
    }
    if !p.missing.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled(bs.missing.to_string(), t.heading()));
        for m in &p.missing {
            let why = match m.reason.as_str() {
                "no-key" => bs.missing_no_key,
                "left-out" => bs.missing_left_out,
                _ => bs.missing_no_file,
            };
            let text = format!(
                "  {}  {}  {why}",
                inert_line(&m.expert),
                inert_line(&m.name)
            );
            out.push(Line::styled(cut(&text, w, g.ellipsis()), t.error()));
        }
    }
    if !p.excluded.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled(bs.excluded_apps.to_string(), t.heading()));
        for x in &p.excluded {
            let text = format!("  {}  {}", inert_line(&x.id), x.rules.join(" "));
            out.push(Line::styled(cut(&text, w, g.ellipsis()), t.error()));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::styled(bs.method.to_string(), t.heading()));
    let m = &p.method;
    let line = fill(
        bs.method_line,
        &[
            &bs.rule(m.rule),
            &m.trim_min_n,
            &m.quorum,
            &m.disagreement_pct,
            &m.outlier_pct,
            &m.rank_shift,
        ],
    );
    for l in wrap(&line, w.saturating_sub(2).max(8)) {
        out.push(Line::styled(format!("  {l}"), t.base()));
    }
    for l in wrap(&inert_line(&m.tie_break), w.saturating_sub(2).max(8)) {
        out.push(Line::styled(format!("  {l}"), t.dim()));
    }
    out
}

fn experts(frame: &mut Frame, b: &mut Board, area: Rect) {
    let t = b.theme();
    let blk = block(t, b.b().experts_view.to_string(), true);
    let inner = blk.inner(area);
    frame.render_widget(blk, area);
    let w = (inner.width as usize).saturating_sub(1).max(10);
    let lines = experts_lines(b, w);
    let scroll = b.experts.fit(lines.len(), inner.height as usize);
    frame.render_widget(
        Paragraph::new(lines).scroll((scroll as u16, 0)),
        Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(1),
            ..inner
        },
    );
}

/// The keys of the board, from the keymap in force.
fn help(frame: &mut Frame, b: &Board, area: Rect) {
    let t = b.theme();
    let bs = b.b();
    let km = &b.basics.settings.keymap;
    let keys_of = |ctx: Context, cmds: &[Cmd]| -> String {
        let mut v: Vec<String> = Vec::new();
        for c in cmds {
            let ks = km.keys(ctx, *c);
            let ks = if ks.is_empty() {
                km.keys(Context::Global, *c)
            } else {
                ks
            };
            v.extend(ks.iter().map(|k| k.to_string()));
        }
        v.join(" ")
    };
    let rows: Vec<(String, &str)> = bs
        .keys
        .iter()
        .map(|(k, text)| {
            let keys = match k {
                BoardKey::Move => keys_of(Context::List, &[Cmd::Down, Cmd::Up]),
                BoardKey::Open => keys_of(Context::List, &[Cmd::Open]),
                BoardKey::Back => keys_of(Context::Global, &[Cmd::Back]),
                BoardKey::Direction => keys_of(
                    Context::Global,
                    &[Cmd::PrevDirection, Cmd::NextDirection, Cmd::Direction],
                ),
                BoardKey::View => keys_of(Context::Global, &[Cmd::FocusNext, Cmd::FocusPrev]),
                BoardKey::Help => keys_of(Context::Global, &[Cmd::Help]),
                BoardKey::Lang => keys_of(Context::Global, &[Cmd::Lang]),
                BoardKey::Print => keys_of(Context::Global, &[Cmd::Export]),
                BoardKey::Opinion => keys_of(Context::Scoring, &[Cmd::Comment]),
                BoardKey::Quit => keys_of(Context::Global, &[Cmd::Quit]),
            };
            (keys, *text)
        })
        .collect();
    let bw = area.width.saturating_sub(4).min(72);
    let key_w = 22usize.min(bw as usize / 2);
    let text_w = (bw as usize).saturating_sub(key_w + 4).max(8);
    let mut lines: Vec<Line> = Vec::new();
    for (k, text) in &rows {
        for (i, l) in wrap(text, text_w).into_iter().enumerate() {
            let head = if i == 0 {
                fit(k, key_w, "…")
            } else {
                " ".repeat(key_w)
            };
            lines.push(Line::from(vec![
                Span::styled(format!(" {head} "), t.key()),
                Span::styled(l, t.base()),
            ]));
        }
    }
    let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = Rect {
        x: area.x + (area.width - bw) / 2,
        y: area.y + (area.height - h) / 2,
        width: bw,
        height: h,
    };
    frame.render_widget(Clear, r);
    // A wide character just left of the box would hide its border.
    if r.x > 0 {
        let buf = frame.buffer_mut();
        for y in r.top()..r.bottom() {
            let cell = &mut buf[(r.x - 1, y)];
            if width(cell.symbol()) > 1 {
                cell.set_symbol(" ");
            }
        }
    }
    let blk = block(t, bs.help.to_string(), true);
    let inner = blk.inner(r);
    frame.render_widget(blk, r);
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_count_per_scale_point_and_bucket_long_scales() {
        let (bars, axis) = histogram(&[20, 20, 21, 25], 0, 25, 1, 1, Glyphs::Unicode);
        assert_eq!(bars.chars().count(), 26);
        assert_eq!(&bars.chars().skip(20).collect::<String>(), "█▄···▄");
        assert!(axis.starts_with('0') && axis.ends_with("25"), "{axis:?}");
        let (bars, _) = histogram(&[0, 3, 4, 100], 0, 100, 1, 2, Glyphs::Ascii);
        // 101 points → buckets of 4 → 26 columns, two cells each.
        assert_eq!(bars.len(), 52);
        assert!(bars.starts_with("2211"), "{bars}");
        assert!(bars.ends_with("11"), "{bars}");
    }
}
