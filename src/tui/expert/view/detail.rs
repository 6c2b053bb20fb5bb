//! The application's text: every field and section, wrapped by columns and
//! scrollable, with conflict and recusal banners on top.

use crate::tui::ScreenBasics;
use crate::tui::kit::Look;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{block, focused};
use crate::domain::history::Status;
use crate::domain::text::{inert, inert_line};
use crate::tui::action::{Cmd, Context};
use crate::tui::expert::{App, Areas, Focus};
use crate::tui::kit::frame::field_lines;
use crate::tui::strings::fill;
use crate::tui::text::{width, wrap};

/// The lines of application `i` at `w` columns.
pub fn lines(app: &App, i: usize, w: usize) -> Vec<Line<'static>> {
    let Look { s, t, .. } = app.look();
    let lang = app.lang();
    let a = &app.session.apps[i];
    let mut out: Vec<Line<'static>> = Vec::new();

    if app.status(i) == Status::Recused {
        let reason = app
            .entry(i)
            .map(|e| inert_line(&e.recuse_reason))
            .unwrap_or_default();
        for l in wrap(&fill(s.recused_banner, &[&reason]), w) {
            out.push(Line::styled(l, t.warning()));
        }
    } else if let Some(c) = app.conflict(i) {
        let org = app
            .session
            .owner
            .as_ref()
            .map(|o| inert_line(&o.org))
            .unwrap_or_default();
        let msg = format!(
            "! {}",
            fill(s.conflict_banner, &[&org, &inert_line(&c.unit)])
        );
        for l in wrap(&msg, w) {
            out.push(Line::styled(l, t.warning()));
        }
    }

    for l in wrap(&inert_line(&a.title), w) {
        out.push(Line::styled(l, t.heading()));
    }
    out.push(Line::raw(""));

    let labels = [
        s.f_id,
        s.f_direction,
        s.f_lead,
        s.f_joint,
        s.f_sector,
        s.f_authority,
        s.f_priority,
        s.f_province,
        s.f_previously_selected,
        s.f_national_funding,
        s.f_built,
    ];
    let lw = labels.iter().map(|l| width(l)).max().unwrap_or(8);
    let (ls, vs) = (t.label(), t.base());
    let mut field = |label: &str, value: String| {
        out.extend(field_lines(label, &value, w, lw, ls, vs));
    };
    field(s.f_id, inert_line(&a.id));
    let scope_key = app.key_name(Context::Detail, Cmd::Scope);
    let dir = a
        .direction
        .and_then(|c| app.session.catalog.direction(c))
        .map(|d| {
            format!(
                "{} {}  ({scope_key}: {})",
                d.code,
                inert_line(lang.pick(&d.name_zh, &d.name_en)),
                s.scope_hint
            )
        })
        .unwrap_or_default();
    field(s.f_direction, dir);
    let unit = |u: &crate::domain::Unit| {
        let mut v = inert_line(&u.name);
        if u.sme {
            v.push_str(&format!("  [{}]", s.f_sme));
        }
        if !u.credit_code.is_empty() {
            v.push_str(&format!("\n{} {}", s.f_credit, inert_line(&u.credit_code)));
        }
        v
    };
    field(s.f_lead, unit(&a.lead_unit));
    if a.joint_units.is_empty() {
        field(s.f_joint, s.none.to_string());
    }
    for u in &a.joint_units {
        field(s.f_joint, unit(u));
    }
    field(s.f_sector, inert_line(&a.sector));
    field(s.f_authority, inert_line(&a.authority));
    field(
        s.f_priority,
        a.priority.map(|p| p.to_string()).unwrap_or_default(),
    );
    field(s.f_province, inert_line(&a.province));
    field(
        s.f_previously_selected,
        s.yes_no(a.previously_selected).into(),
    );
    field(s.f_national_funding, s.yes_no(a.national_funding).into());
    field(s.f_built, s.yes_no(a.built).into());

    for (key, text) in a.sections.iter() {
        out.push(Line::raw(""));
        out.push(Line::styled(s.section(key).to_string(), t.heading()));
        if text.trim().is_empty() {
            out.push(Line::styled(s.empty_section.to_string(), t.dim()));
        } else {
            for l in wrap(&inert(text, true), w) {
                out.push(Line::raw(l));
            }
        }
    }
    out
}

pub fn draw(frame: &mut Frame, app: &mut App, area: Rect, areas: &mut Areas) {
    let s = app.s();
    let has_focus = focused(app, Focus::Detail);
    let Some(i) = app.current() else {
        let b = block(app, s.detail.to_string(), has_focus);
        let inner = b.inner(area);
        frame.render_widget(b, area);
        frame.render_widget(
            Paragraph::new(Span::styled(s.nothing_selected, app.theme().dim())),
            inner,
        );
        areas.detail = area;
        return;
    };
    let title = format!("{} {}", s.detail, inert_line(&app.session.apps[i].id));
    let b = block(app, title, has_focus);
    let inner = b.inner(area);
    let w = (inner.width as usize).saturating_sub(1).max(1);
    let all = lines(app, i, w);
    let h = inner.height as usize;
    let scroll = app.detail.clamp_to(all.len(), h);
    let app = &*app;
    let pos = if all.len() > h {
        format!(
            " {}–{}/{} ",
            scroll + 1,
            (scroll + h).min(all.len()),
            all.len()
        )
    } else {
        String::new()
    };
    let b = b.title_bottom(Line::styled(pos, app.theme().dim()).right_aligned());
    frame.render_widget(b, area);
    let shown: Vec<Line> = all.into_iter().skip(scroll).take(h).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    areas.detail = area;
    areas.detail_rows = inner.height;
}
