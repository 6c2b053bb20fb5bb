//! The board's national view: a combined result (the ministry's, format
//! `panelist.combined.v1`) on screen. The ranking per direction across
//! panels, each application's figures, ranks under every basis, status on
//! the proposed list and findings across panels; read-only. It runs on the
//! board's keymap, theme, glyphs, languages and terminal guard. Key press →
//! [`Action`] → [`National::update`] → redraw; every string from the file
//! passes through `inert_line`.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use crossterm::event::{Event, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::Trust;
use super::national_strings::NationalStrings;
use crate::crypto::envelope::{COMBINED_TYPE, Envelope};
use crate::domain::national::{Basis, Status};
use crate::domain::text::inert_line;
use crate::formats::combined::{CombinedEntry, CombinedPayload};
use crate::tui::ScreenBasics;
use crate::tui::kit::action::{Action, Cmd, Context, Wheel};
use crate::tui::kit::config::Settings;
use crate::tui::kit::frame::{Hints, SlashHints, footer_hints, help_box};
use crate::tui::kit::scroll::{ListScroll, TextScroll};
use crate::tui::kit::strings::fill;
use crate::tui::kit::text::{cut, fit, pad, pad_left, wrap};
use crate::tui::kit::{self, Basics, Flow, Paste};

/// Whether `text` is a combined result (its payloadType), for the board
/// to choose its view.
pub fn is_combined(text: &str) -> bool {
    Envelope::parse_unsigned(text).is_ok_and(|e| e.payload_type == COMBINED_TYPE)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

/// The national view's state.
#[derive(Debug)]
pub struct National {
    payload: CombinedPayload,
    trust: Trust,
    basics: Basics,
    focus: Focus,
    help: bool,
    dir: usize,
    dirs: Vec<u32>,
    list: ListScroll,
    detail: TextScroll,
    quit: bool,
}

crate::tui::kit::screen_basics!(National);

impl National {
    pub fn new(payload: CombinedPayload, trust: Trust, settings: Settings) -> National {
        let dirs = payload.directions.iter().map(|d| d.code).collect();
        National {
            payload,
            trust,
            basics: Basics::new(settings),
            focus: Focus::List,
            help: false,
            dir: 0,
            dirs,
            list: ListScroll::new(0, 10),
            detail: TextScroll::default(),
            quit: false,
        }
    }

    pub fn payload(&self) -> &CombinedPayload {
        &self.payload
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    pub fn quit(&self) -> bool {
        self.quit
    }

    pub fn n(&self) -> &'static NationalStrings {
        NationalStrings::of(self.basics.settings.lang)
    }

    /// The direction on screen.
    pub fn direction(&self) -> Option<u32> {
        self.dirs.get(self.dir).copied()
    }

    /// The direction's entries in national rank order under the basis.
    pub fn ranked(&self) -> Vec<&CombinedEntry> {
        self.direction()
            .map(|d| self.payload.ranked(d, self.payload.method.basis))
            .unwrap_or_default()
    }

    /// The entry under the cursor.
    pub fn current(&self) -> Option<&CombinedEntry> {
        self.ranked().get(self.list.selected()).copied()
    }

    fn context(&self) -> Context {
        match self.focus {
            Focus::List => Context::List,
            Focus::Detail => Context::Detail,
        }
    }

    pub fn action_for(&self, k: KeyEvent) -> Option<Action> {
        if let Some(a) = self.first_action(&k, Context::Global) {
            return a;
        }
        let km = &self.basics.settings.keymap;
        if self.help {
            return match km.lookup(Context::Detail, &k) {
                Some(c @ (Cmd::Quit | Cmd::Lang | Cmd::Help | Cmd::Back)) => Some(Action::Cmd(c)),
                _ => None,
            };
        }
        km.lookup(self.context(), &k).map(Action::Cmd)
    }

    pub fn on_event(&mut self, ev: Event) {
        for a in kit::actions(ev, Paste::Ignore, |k| self.action_for(k)) {
            self.update(a);
        }
    }

    fn move_by(&mut self, delta: isize) {
        match self.focus {
            Focus::Detail => self.detail.by_within(delta),
            Focus::List => {
                let n = self.ranked().len();
                if n > 0 {
                    let next = (self.list.selected() as isize + delta).clamp(0, n as isize - 1);
                    self.list.select(next as usize);
                    self.detail.set(0);
                }
            }
        }
    }

    fn set_direction(&mut self, delta: isize) {
        let n = self.dirs.len();
        if n > 0 {
            self.dir = (self.dir as isize + delta).rem_euclid(n as isize) as usize;
            self.list.select(0);
            self.list.rewind();
            self.detail.set(0);
        }
    }

    /// The one place state changes.
    pub fn update(&mut self, a: Action) {
        let page = self.list.rows().max(1) as isize;
        match a {
            Action::Resize { width, height } => self.basics.size = (width, height),
            Action::ForceQuit => self.quit = true,
            Action::Wheel { dir, .. } => self.move_by(if dir == Wheel::Up { -3 } else { 3 }),
            Action::Cmd(c) => match c {
                Cmd::Quit => self.quit = true,
                Cmd::Help => self.help = !self.help,
                Cmd::Lang => self.basics.settings.lang = self.basics.settings.lang.toggle(),
                Cmd::Back if self.help => self.help = false,
                Cmd::Back => self.focus = Focus::List,
                Cmd::NextDirection | Cmd::Direction => self.set_direction(1),
                Cmd::PrevDirection => self.set_direction(-1),
                Cmd::Open if self.current().is_some() => {
                    self.focus = Focus::Detail;
                    self.detail.set(0);
                }
                Cmd::Up => self.move_by(-1),
                Cmd::Down => self.move_by(1),
                Cmd::PageUp => self.move_by(-page),
                Cmd::PageDown => self.move_by(page),
                Cmd::Top => self.move_by(-(1 << 20)),
                Cmd::Bottom => self.move_by(1 << 20),
                _ => {}
            },
            Action::Click { .. } if self.help => self.help = false,
            Action::Click { .. } | Action::Digit(_) | Action::DigitBackspace | Action::Key(_) => {}
        }
    }

    /// An entry's details as lines `w` columns wide.
    pub fn entry_lines(&self, e: &CombinedEntry, w: usize) -> Vec<Line<'static>> {
        let n = self.n();
        let t = self.theme();
        let p = &self.payload;
        let none = || n.none.to_string();
        let field = |label: &str, value: String| -> Vec<Line<'static>> {
            wrap(
                &format!("{label}{}{value}", self.lang().pick("：", ": ")),
                w.max(8),
            )
            .into_iter()
            .map(|l| Line::styled(l, t.value()))
            .collect()
        };
        let mut out: Vec<Line<'static>> = Vec::new();
        for l in wrap(&inert_line(&e.title), w.max(8)) {
            out.push(Line::styled(l, t.heading()));
        }
        out.push(Line::styled(inert_line(&e.id), t.dim()));
        out.extend(field(n.panel, inert_line(p.panel_name(e.panel))));
        out.extend(field(n.lead_unit, inert_line(&e.lead_unit)));
        out.extend(field(n.authority, inert_line(&e.authority)));
        out.extend(field(n.scorers, e.scorers.to_string()));
        out.extend(field(n.score, e.score.clone().unwrap_or_else(none)));
        out.extend(field(n.z, e.z.clone().unwrap_or_else(none)));
        out.extend(field(
            n.percentile,
            e.percentile.clone().unwrap_or_else(none),
        ));
        let rank = |b: Basis| e.ranks.get(b.key()).map_or("–".to_string(), u32::to_string);
        out.extend(field(
            n.ranks,
            format!(
                "{} / {} / {}",
                rank(Basis::Raw),
                rank(Basis::Zscore),
                rank(Basis::Percentile)
            ),
        ));
        out.push(if e.robust {
            Line::styled(n.robust.to_string(), t.dim())
        } else {
            Line::styled(n.not_robust.to_string(), t.warning())
        });
        out.extend(field(n.status, n.status(e.status).to_string()));
        out.push(Line::raw(""));
        out.push(Line::styled(n.findings.to_string(), t.heading()));
        if e.findings.is_empty() {
            out.push(Line::styled(format!("  {}", n.none), t.dim()));
        }
        for &i in &e.findings {
            if let Some(f) = p.findings.get(i as usize) {
                let text = format!(
                    "{}  {}",
                    f.rule,
                    self.lang().pick(&f.detail_zh, &f.detail_en)
                );
                for l in wrap(&inert_line(&text), w.saturating_sub(2).max(8)) {
                    out.push(Line::styled(format!("  {l}"), t.error()));
                }
            }
        }
        if !e.panel_findings.is_empty() {
            out.push(Line::styled(n.panel_findings.to_string(), t.heading()));
            out.push(Line::styled(
                format!("  {}", inert_line(&e.panel_findings.join(", "))),
                t.warning(),
            ));
        }
        if let Some(o) = &e.opinion {
            out.push(Line::styled(n.opinion.to_string(), t.heading()));
            for para in o.split('\n') {
                for l in wrap(&inert_line(para), w.saturating_sub(2).max(8)) {
                    out.push(Line::styled(format!("  {l}"), t.base()));
                }
            }
        }
        out
    }
}

fn block<'a>(s: &National, title: String, focused: bool) -> Block<'a> {
    let t = s.theme();
    Block::default()
        .borders(Borders::ALL)
        .border_style(t.border(focused))
        .title(Span::styled(format!(" {title} "), t.title(focused)))
}

fn header(frame: &mut Frame, s: &National, area: Rect) {
    let t = s.theme();
    let n = s.n();
    let hs = t.header();
    let p = &s.payload;
    let w = area.width as usize;
    let badge = match &s.trust {
        Trust::Verified(id) => fill(n.verified, &[&inert_line(id)]),
        Trust::Signed(id) => fill(n.signed_unverified, &[&inert_line(id)]),
        Trust::Unsigned => n.unsigned.to_string(),
    };
    let left = format!(
        " {} · {} · {}",
        n.combined,
        inert_line(&p.call),
        fill(n.panels, &[&p.panels.len(), &p.entries.len()])
    );
    let badge_style = match s.trust {
        Trust::Unsigned => t.warning(),
        _ => t.saved(),
    };
    let line1 = crate::tui::kit::frame::spread(
        vec![Span::styled(left, hs)],
        vec![Span::styled(format!("{badge} "), badge_style)],
        w,
        hs,
    );
    let where_ = match s.direction() {
        Some(d) => fill(
            n.direction_of,
            &[
                &(s.dir + 1),
                &s.dirs.len(),
                &d,
                &inert_line(&p.direction_name(d, s.lang(), false)),
            ],
        ),
        None => String::new(),
    };
    let unstable = p.entries.iter().filter(|e| !e.robust).count();
    let summary = fill(
        n.summary,
        &[&p.list.len(), &p.ties.len(), &p.findings.len(), &unstable],
    );
    let line2 = crate::tui::kit::frame::spread(
        vec![Span::styled(format!(" {where_}"), hs)],
        vec![Span::styled(format!("{summary} "), hs)],
        w,
        hs,
    );
    frame.render_widget(Paragraph::new(vec![line1, line2]).style(hs), area);
}

fn footer(frame: &mut Frame, s: &National, area: Rect) {
    let sx = s.s();
    let t = s.theme();
    let mut hints = Hints::new(&s.basics.settings.keymap, s.context());
    if s.help {
        hints.cmd(Cmd::Back, sx.hint_close);
    } else {
        match s.focus {
            Focus::List => {
                hints.push(hints.both(Cmd::Down, Cmd::Up), sx.hint_move);
                hints.cmd(Cmd::Open, sx.cmd_short(Cmd::Open));
            }
            Focus::Detail => {
                hints.push(hints.both(Cmd::Down, Cmd::Up), sx.hint_scroll);
                hints.cmd(Cmd::Back, sx.cmd_short(Cmd::Back));
            }
        }
        hints.push(
            hints.both(Cmd::PrevDirection, Cmd::NextDirection),
            s.n().hint_direction,
        );
    }
    let tail = hints.tail(|c| sx.cmd_short(c));
    footer_hints(frame, t, area, hints.list, tail, SlashHints::Drop);
}

fn status_style(s: &National, st: Status) -> ratatui::style::Style {
    let t = s.theme();
    match st {
        Status::Selected => t.saved(),
        Status::Tie => t.warning(),
        Status::Unranked => t.dim(),
        Status::NotSelected | Status::Ranked => t.value(),
    }
}

fn ranking(frame: &mut Frame, s: &mut National, area: Rect, focused: bool) {
    let page = (area.height.saturating_sub(2) as usize)
        .saturating_sub(1)
        .max(1);
    let len = s.ranked().len();
    let off = s.list.show(len, page);
    let s = &*s;
    let n = s.n();
    let t = s.theme();
    let rows = s.ranked();
    let title = match s.direction() {
        Some(d) => format!(
            "{} · {} {} ({})",
            n.ranking,
            d,
            inert_line(&s.payload.direction_name(d, s.lang(), true)),
            rows.len()
        ),
        None => n.ranking.to_string(),
    };
    let blk = block(s, title, focused);
    let inner = blk.inner(area);
    frame.render_widget(blk, area);
    let w = inner.width as usize;
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {}", n.no_applications), t.dim())),
            inner,
        );
        return;
    }
    let basis = s.payload.method.basis;
    // cursor 2, rank 5, panel 12, id 12, score 9, z 8, pct 9, status 10, title rest.
    let fixed = 2 + 5 + 13 + 12 + 9 + 8 + 9 + 12;
    let title_w = w.saturating_sub(fixed).max(6);
    let head = format!(
        "  {}{}{}{}{}{}{}{}",
        pad_left(n.col_rank, 4),
        " ",
        pad(n.col_panel, 13),
        pad(n.col_id, 12),
        pad(n.col_title, title_w),
        pad_left(n.col_score, 9),
        pad_left(n.col_z, 8),
        pad_left(n.col_pct, 9),
    ) + &format!("  {}", n.col_status);
    let mut lines = vec![Line::styled(fit(&head, w, "…"), t.label())];
    for (k, e) in rows.iter().enumerate().skip(off).take(page) {
        let cur = k == s.list.selected();
        let rank = e
            .ranks
            .get(basis.key())
            .map_or("–".to_string(), u32::to_string);
        let text = format!(
            "{}{} {}{}{}{}{}{}",
            if cur { "▶ " } else { "  " },
            pad_left(&rank, 4),
            pad(
                &fit(&inert_line(s.payload.panel_name(e.panel)), 12, "…"),
                13
            ),
            pad(&fit(&inert_line(&e.id), 11, "…"), 12),
            pad(
                &fit(&inert_line(&e.title), title_w.saturating_sub(1), "…"),
                title_w
            ),
            pad_left(e.score.as_deref().unwrap_or("–"), 9),
            pad_left(e.z.as_deref().unwrap_or("–"), 8),
            pad_left(e.percentile.as_deref().unwrap_or("–"), 9),
        );
        let mark = if e.findings.is_empty() { "" } else { " !" };
        let style = if cur { t.selected(focused) } else { t.value() };
        let status = format!("  {}{mark}", n.status_short(e.status));
        let text = cut(&text, w, "…");
        let used = crate::tui::kit::text::width(&text);
        let line = Line::from(vec![
            Span::styled(text, style),
            Span::styled(
                fit(&status, w.saturating_sub(used), "…"),
                if cur {
                    style
                } else {
                    status_style(s, e.status)
                },
            ),
        ]);
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn detail(frame: &mut Frame, s: &mut National, area: Rect, focused: bool) {
    let blk = block(s, s.n().application.to_string(), focused);
    let inner = blk.inner(area);
    frame.render_widget(blk, area);
    let lines = match s.current() {
        Some(e) => s.entry_lines(e, inner.width as usize),
        None => Vec::new(),
    };
    let top = s.detail.fit(lines.len(), inner.height as usize);
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(top)
        .take(inner.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}

fn help(frame: &mut Frame, s: &National, area: Rect) {
    let km = &s.basics.settings.keymap;
    let n = s.n();
    let keys = |ctx: Context, cmds: &[Cmd]| -> String {
        cmds.iter()
            .flat_map(|c| {
                let k = km.keys(ctx, *c);
                if k.is_empty() {
                    km.keys(Context::Global, *c)
                } else {
                    k
                }
            })
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let rows: Vec<(String, &str)> = vec![
        (keys(Context::List, &[Cmd::Down, Cmd::Up]), n.keys[0].1),
        (keys(Context::List, &[Cmd::Open]), n.keys[1].1),
        (keys(Context::Global, &[Cmd::Back]), n.keys[2].1),
        (
            keys(Context::Global, &[Cmd::PrevDirection, Cmd::NextDirection]),
            n.keys[3].1,
        ),
        (keys(Context::Global, &[Cmd::Lang]), n.keys[4].1),
        (keys(Context::Global, &[Cmd::Quit]), n.keys[5].1),
    ];
    let t = s.theme();
    help_box(frame, t, n.help_title, area, 64, 0, |w| {
        rows.iter()
            .map(|(k, text)| {
                Line::from(vec![
                    Span::styled(pad(&fit(k, 18, "…"), 20), t.key()),
                    Span::styled(fit(text, w.saturating_sub(20), "…"), t.value()),
                ])
            })
            .collect()
    });
}

/// Paints the national view.
pub fn draw(frame: &mut Frame, s: &mut National) {
    let Some(parts) = s.frame_with(frame, 0, header, footer) else {
        return;
    };
    let (area, body) = (parts.all, parts.body);
    let focus = s.focus;
    if s.is_wide() {
        let [l, r] =
            Layout::horizontal([Constraint::Percentage(62), Constraint::Min(20)]).areas(body);
        ranking(frame, s, l, focus == Focus::List);
        detail(frame, s, r, focus == Focus::Detail);
    } else if focus == Focus::Detail {
        detail(frame, s, body, true);
    } else {
        ranking(frame, s, body, true);
    }
    if s.help {
        help(frame, s, area);
    }
}

/// Reads a combined result for the board, signed or a draft; with a
/// roster (the ministry's), it must verify as `panelist verify` checks it.
pub fn load(path: &Path, roster: Option<&Path>) -> Result<(CombinedPayload, Trust)> {
    let p = path.display();
    let text = crate::support::fs::read_text(path, &crate::support::fs::limits::SIGNED)?;
    let env = Envelope::parse_unsigned(&text).map_err(|e| anyhow!("{p}: {e}"))?;
    from_envelope(path, &text, &env, roster)
}

/// [`load`] of a file already read (`text`) and opened (`env`).
pub fn from_envelope(
    path: &Path,
    text: &str,
    env: &Envelope,
    roster: Option<&Path>,
) -> Result<(CombinedPayload, Trust)> {
    let p = path.display();
    if env.payload_type != COMBINED_TYPE {
        bail!(
            "{p}: not a combined result (payloadType {})",
            inert_line(&env.payload_type)
        );
    }
    let payload: CombinedPayload =
        crate::formats::read_payload(env).map_err(|e| anyhow!("{p}: {e}"))?;
    let signer = payload.ministry.as_ref().map(|m| m.id.clone());
    let trust = super::trust_of(path, text, env, roster, signer)?;
    Ok((payload, trust))
}

/// The national view's one effect: quit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Quit,
}

impl kit::Screen for National {
    type Effect = Effect;

    fn draw(&mut self, frame: &mut Frame) {
        draw(frame, self);
    }

    fn on_event(&mut self, ev: Event) -> Vec<Effect> {
        National::on_event(self, ev);
        if self.quit {
            vec![Effect::Quit]
        } else {
            Vec::new()
        }
    }

    fn run_effect(&mut self, _effect: Effect) -> Flow {
        Flow::Quit
    }
}

/// Runs the national view until the ministry quits.
pub fn run(payload: CombinedPayload, trust: Trust, settings: Settings) -> Result<()> {
    kit::run(&mut National::new(payload, trust, settings))
}
