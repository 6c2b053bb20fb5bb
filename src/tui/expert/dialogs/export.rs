//! The export: review the counts and the key, choose the file, type the
//! passphrase; the loop signs and writes, and the dialog shows the result.

use crate::tui::kit::Look;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Outcome, frame_box};
use crate::crypto::keys::Passphrase;
use crate::domain::history::Status;
use crate::domain::text::inert_line;
use crate::export::ExportSummary;
use crate::tui::ScreenBasics;
use crate::tui::expert::effects::ExportRequest;
use crate::tui::expert::{App, ExportFailure, OwnerKey};
use crate::tui::kit::frame::{centered, field_lines};
use crate::tui::strings::{Strings, fill};
use crate::tui::text::{cut, fit, pad, tail, width, wrap};

/// Where the export dialog stands. Esc goes one step back (and from the
/// review, closes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportStep {
    /// Counts, the partial choice, the key and the file.
    Review,
    /// Editing the output file.
    Path,
    /// The loop is looking at the output file (its full path, whether it
    /// exists).
    Checking,
    /// The file exists: replace it?
    Replace,
    /// Typing the key's passphrase.
    Passphrase,
    /// The loop is opening the key and signing.
    Running,
    /// Written; the summary is shown.
    Done,
}

/// The export dialog's state. The passphrase is never drawn (only one
/// bullet per character) and leaves with the request.
#[derive(Debug)]
pub struct ExportDialog {
    pub step: ExportStep,
    /// The expert chose to export although some applications are open.
    pub partial: bool,
    pub path: String,
    pub pass: Passphrase,
    pub error: Option<String>,
    pub done: Option<ExportSummary>,
    /// The score sheet written beside the export (its path), or why not.
    pub sheet: Option<Result<String, String>>,
    /// The output file's full path, once the loop has looked at it, and
    /// whether the expert agreed to replace the file there.
    pub target: Option<PathBuf>,
    pub replace: bool,
}

/// What the loop found at the output path the expert chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTarget {
    /// Nothing there yet: the full path.
    Free(PathBuf),
    /// A file is there: the full path.
    Exists(PathBuf),
    /// The folder does not exist: the folder.
    NoFolder(PathBuf),
    /// The path is a folder.
    Folder(PathBuf),
}

impl ExportDialog {
    /// The review, offering to write to `path`.
    pub fn new(path: String) -> ExportDialog {
        ExportDialog {
            step: ExportStep::Review,
            partial: false,
            path,
            pass: Passphrase::typing(),
            error: None,
            done: None,
            target: None,
            replace: false,
            sheet: None,
        }
    }

    pub fn key(&mut self, k: KeyEvent, app: &App) -> Outcome {
        let s = app.s();
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let open = app.open_apps().len();
        let key_ok = matches!(app.owner_key(), OwnerKey::Ready(_));
        let d = self;
        match d.step {
            ExportStep::Review => match k.code {
                KeyCode::Esc => return Outcome::Close,
                KeyCode::Char('p' | ' ') if open > 0 => {
                    d.partial = !d.partial;
                    d.error = None;
                }
                KeyCode::Enter => {
                    if !key_ok {
                        d.error = Some(s.export_need_key.to_string());
                    } else if open > 0 && !d.partial {
                        d.error = Some(fill(s.export_need_partial, &[&open]));
                    } else {
                        d.error = None;
                        d.step = ExportStep::Path;
                    }
                }
                _ => {}
            },
            ExportStep::Path => match k.code {
                KeyCode::Esc => {
                    d.error = None;
                    d.step = ExportStep::Review;
                }
                KeyCode::Enter => {
                    if d.path.trim().is_empty() {
                        d.error = Some(s.export_need_path.to_string());
                    } else {
                        d.error = None;
                        d.step = ExportStep::Checking;
                        return Outcome::CheckExport(PathBuf::from(d.path.trim()));
                    }
                }
                KeyCode::Backspace => {
                    d.path.pop();
                    d.target = None;
                }
                KeyCode::Char('u') if ctrl => {
                    d.path.clear();
                    d.target = None;
                }
                KeyCode::Char(c) if !ctrl && !c.is_control() => {
                    d.path.push(c);
                    d.target = None;
                    d.error = None;
                }
                _ => {}
            },
            ExportStep::Checking => {}
            ExportStep::Replace => match k.code {
                KeyCode::Enter => {
                    d.replace = true;
                    d.step = ExportStep::Passphrase;
                }
                KeyCode::Esc => {
                    d.replace = false;
                    d.step = ExportStep::Path;
                }
                _ => {}
            },
            ExportStep::Passphrase => match k.code {
                KeyCode::Esc => {
                    d.pass.clear();
                    d.error = None;
                    d.replace = false;
                    d.step = ExportStep::Path;
                }
                KeyCode::Enter => {
                    if d.pass.is_empty() {
                        d.error = Some(s.export_need_pass.to_string());
                    } else {
                        d.error = None;
                        d.step = ExportStep::Running;
                        let passphrase = std::mem::replace(&mut d.pass, Passphrase::typing());
                        let expert = app
                            .session
                            .owner
                            .as_ref()
                            .map(|o| o.id.clone())
                            .unwrap_or_default();
                        return Outcome::Export(ExportRequest {
                            expert,
                            out: d
                                .target
                                .clone()
                                .unwrap_or_else(|| PathBuf::from(d.path.trim())),
                            allow_incomplete: d.partial,
                            replace: d.replace,
                            passphrase,
                        });
                    }
                }
                _ => super::type_passphrase(&mut d.pass, &mut d.error, &k, s.export_pass_too_long),
            },
            ExportStep::Running => {}
            ExportStep::Done => {
                if matches!(k.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) {
                    return Outcome::Close;
                }
                if k.code == KeyCode::Char('s')
                    && let Some(sum) = &d.done
                {
                    return Outcome::PrintSheet(sum.path.clone());
                }
            }
        }
        Outcome::Stay
    }

    /// The loop looked at the output path: on to the passphrase, to the
    /// question whether to replace the file, or back to the path.
    pub fn checked(&mut self, t: ExportTarget, app: &App) {
        let x = app.extra();
        let d = self;
        if d.step != ExportStep::Checking {
            return;
        }
        let shown = |p: &PathBuf| inert_line(&p.display().to_string());
        match t {
            ExportTarget::Free(p) => {
                d.path = p.display().to_string();
                d.target = Some(p);
                d.replace = false;
                d.step = ExportStep::Passphrase;
            }
            ExportTarget::Exists(p) => {
                d.path = p.display().to_string();
                d.target = Some(p);
                d.replace = false;
                d.step = ExportStep::Replace;
            }
            ExportTarget::NoFolder(p) => {
                d.error = Some(fill(x.export_no_folder, &[&shown(&p)]));
                d.step = ExportStep::Path;
            }
            ExportTarget::Folder(p) => {
                d.error = Some(fill(x.export_is_folder, &[&shown(&p)]));
                d.step = ExportStep::Path;
            }
        }
    }

    /// The export returned: the file, or the error at the step that can
    /// fix it.
    pub fn finished(&mut self, r: Result<ExportSummary, ExportFailure>, s: &Strings) {
        let d = self;
        d.pass.clear();
        match r {
            Ok(summary) => {
                d.step = ExportStep::Done;
                d.error = None;
                d.done = Some(summary);
            }
            Err(ExportFailure::WrongPassphrase(key_file)) => {
                d.step = ExportStep::Passphrase;
                d.error = Some(fill(s.export_wrong_pass, &[&inert_line(&key_file)]));
            }
            Err(ExportFailure::Key(e)) => {
                d.step = ExportStep::Review;
                d.error = Some(fill(s.key_failed, &[&inert_line(&e)]));
            }
            Err(ExportFailure::Export(e)) => {
                d.step = ExportStep::Path;
                d.error = Some(fill(s.export_failed, &[&inert_line(&e)]));
            }
            Err(ExportFailure::Appeared(msg)) => {
                d.step = ExportStep::Path;
                d.replace = false;
                d.error = Some(msg);
            }
        }
    }

    pub fn draw(&self, frame: &mut Frame, app: &App, area: Rect) {
        let d = self;
        let Look { s, t, g } = app.look();
        // Wide enough at 80 columns for a key id on one line.
        let w = area.width.saturating_sub(2).min(92);
        let iw = (w as usize).saturating_sub(2);
        let lw = [
            s.export_key,
            s.export_file,
            s.export_passphrase,
            s.export_key_id,
            s.expert,
        ]
        .iter()
        .map(|l| width(l))
        .max()
        .unwrap_or(8);
        let mut lines: Vec<Line> = Vec::new();
        let mut cursor: Option<(u16, u16)> = None;
        let counts = crate::tui::expert::view::counts_line(app);
        let step = match d.step {
            ExportStep::Review => 1,
            ExportStep::Path | ExportStep::Checking | ExportStep::Replace => 2,
            _ => 3,
        };
        let title = format!("{} · {step}/3", s.export_title);

        if let (ExportStep::Done, Some(sum)) = (d.step, &d.done) {
            let mut head = format!("{} {}", g.ok(), s.export_done);
            if sum.partial {
                head.push(' ');
                head.push_str(s.export_done_partial);
            }
            lines.push(Line::styled(
                head,
                t.status(Status::Complete).patch(t.value()),
            ));
            let c = &sum.counts;
            let n = crate::tui::expert::view::counts_text(app, |st| match st {
                Status::Complete => c.complete,
                Status::Draft => c.draft,
                Status::Recused => c.recused,
                Status::Todo => c.todo,
            });
            let line = format!("{n}  · {}", fill(s.export_events, &[&sum.events]));
            for l in wrap(&line, iw) {
                lines.push(Line::raw(l));
            }
            lines.push(Line::raw(""));
            let who = format!(
                "{} {}",
                inert_line(&sum.expert),
                inert_line(&sum.expert_name)
            );
            lines.extend(field_lines(s.expert, &who, iw, lw, t.label(), t.value()));
            lines.extend(unbroken(
                app,
                s.export_key_id,
                &inert_line(&sum.key_id),
                iw,
                lw,
            ));
            lines.extend(field_lines(
                s.export_file,
                &inert_line(&sum.path.display().to_string()),
                iw,
                lw,
                t.label(),
                t.value(),
            ));
            lines.push(Line::raw(""));
            for l in wrap(s.export_verify_hint, iw) {
                lines.push(Line::styled(l, t.dim()));
            }
            match &d.sheet {
                Some(Ok(p)) => {
                    for l in wrap(&fill(s.export_sheet_written, &[&inert_line(p)]), iw) {
                        lines.push(Line::styled(l, t.status(Status::Complete)));
                    }
                }
                Some(Err(e)) => {
                    for l in wrap(&fill(s.export_sheet_failed, &[&inert_line(e)]), iw) {
                        lines.push(Line::styled(l, t.error()));
                    }
                }
                None => {}
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(cut(s.export_hint_done, iw, "…"), t.key()));
        } else {
            lines.push(Line::styled(fit(&counts, iw, "…"), t.value()));
            let open = app.open_apps();
            if open.is_empty() {
                lines.push(Line::styled(
                    cut(s.export_all_done, iw, "…"),
                    t.status(Status::Complete),
                ));
            } else {
                for l in wrap(&fill(s.export_open, &[&open.len()]), iw) {
                    lines.push(Line::styled(l, t.status(Status::Draft)));
                }
                let shown = 6.min(open.len());
                let mut ids: Vec<String> = open[..shown]
                    .iter()
                    .map(|&i| app.rows[i].id.clone())
                    .collect();
                if open.len() > shown {
                    ids.push(fill(s.export_more, &[&open.len()]));
                }
                for l in wrap(&ids.join(", "), iw.saturating_sub(2))
                    .into_iter()
                    .take(2)
                {
                    lines.push(Line::raw(format!("  {l}")));
                }
                let mark = if d.partial { "[x]" } else { "[ ]" };
                let st = if d.partial && d.step == ExportStep::Review {
                    t.selected(true)
                } else if d.partial {
                    t.value()
                } else {
                    t.base()
                };
                lines.push(Line::styled(
                    fit(&format!("{mark} {}", s.export_partial), iw, "…"),
                    st,
                ));
            }
            lines.push(Line::raw(""));
            let owner = app.session.owner.as_ref();
            match app.owner_key() {
                OwnerKey::Ready(k) => {
                    let v = format!(
                        "{} · {} · {}",
                        inert_line(&k.id),
                        inert_line(&k.alg),
                        inert_line(k.short_id())
                    );
                    lines.extend(unbroken(app, s.export_key, &v, iw, lw));
                }
                OwnerKey::Missing => {
                    let id = owner.map(|o| inert_line(&o.id)).unwrap_or_default();
                    for l in wrap(&fill(s.export_no_key, &[&id]), iw) {
                        lines.push(Line::styled(l, t.error()));
                    }
                    let cmd = match owner {
                        Some(o) => format!(
                            "panelist key new --id {} --name {} --org {}",
                            shell_word(&inert_line(&o.id)),
                            shell_word(&inert_line(&o.name)),
                            shell_word(&inert_line(&o.org))
                        ),
                        None => "panelist key new --id ID --name NAME --org ORG".to_string(),
                    };
                    for l in wrap(&cmd, iw.saturating_sub(2)) {
                        lines.push(Line::styled(format!("  {l}"), t.key()));
                    }
                }
                OwnerKey::Unusable(e) => {
                    for l in wrap(&fill(s.export_key_unusable, &[&inert_line(e)]), iw) {
                        lines.push(Line::styled(l, t.error()));
                    }
                }
                OwnerKey::Other(k, claimed) => {
                    let msg = fill(
                        s.export_key_other,
                        &[
                            &inert_line(crate::crypto::short_id(claimed)),
                            &inert_line(k.short_id()),
                        ],
                    );
                    for l in wrap(&msg, iw) {
                        lines.push(Line::styled(l, t.error()));
                    }
                }
            }
            let path = inert_line(&d.path);
            if d.step == ExportStep::Path {
                let (l, col) = input_line(app, s.export_file, lw, &path, iw, true);
                cursor = Some((lines.len() as u16, col));
                lines.push(l);
            } else {
                lines.extend(field_lines(
                    s.export_file,
                    &path,
                    iw,
                    lw,
                    t.label(),
                    t.value(),
                ));
            }
            if matches!(d.step, ExportStep::Passphrase | ExportStep::Running) {
                let mask = g.mask().repeat(d.pass.chars());
                let focused = d.step == ExportStep::Passphrase;
                let (l, col) = input_line(app, s.export_passphrase, lw, &mask, iw, focused);
                if focused {
                    cursor = Some((lines.len() as u16, col));
                }
                lines.push(l);
            }
            lines.push(Line::raw(""));
            if d.step == ExportStep::Replace {
                let full = inert_line(&d.path);
                for l in wrap(&fill(app.extra().export_replace, &[&full]), iw) {
                    lines.push(Line::styled(l, t.warning()));
                }
            } else if d.step == ExportStep::Checking {
                lines.push(Line::styled(
                    cut(app.extra().export_checking, iw, "…"),
                    t.key(),
                ));
            } else if d.step == ExportStep::Running {
                lines.push(Line::styled(cut(s.export_running, iw, "…"), t.key()));
            } else if let Some(e) = &d.error {
                for l in wrap(e, iw).into_iter().take(3) {
                    lines.push(Line::styled(l, t.error()));
                }
            } else {
                lines.push(Line::raw(""));
            }
            let hint = match d.step {
                ExportStep::Review if open.is_empty() => s.export_hint_review_done,
                ExportStep::Review => s.export_hint_review,
                ExportStep::Path => s.export_hint_path,
                ExportStep::Replace => app.extra().export_replace_hint,
                ExportStep::Passphrase => s.export_hint_pass,
                _ => "",
            };
            lines.push(Line::styled(cut(hint, iw, "…"), t.key()));
        }
        let h = (lines.len() as u16 + 2).min(area.height.saturating_sub(2));
        let r = centered(area, w, h);
        let inner = frame_box(frame, app, r, title);
        frame.render_widget(Paragraph::new(lines), inner);
        if let Some((row, col)) = cursor
            && row < inner.height
            && col < inner.width
        {
            frame.set_cursor_position(Position::new(inner.x + col, inner.y + row));
        }
    }
}

/// `s` as one shell word: as it is when it is plain, else single-quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ',' | '@'));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// `label value` with the value as an input field `room` columns wide
/// showing the end of a long value; returns the line and the cursor column.
pub(super) fn input_line(
    app: &App,
    label: &str,
    lw: usize,
    value: &str,
    iw: usize,
    focused: bool,
) -> (Line<'static>, u16) {
    let t = app.theme();
    let room = iw.saturating_sub(lw + 1).max(2);
    // The end of the value, where typing happens, with room for the cursor.
    let mut shown = tail(value, room - 1);
    if shown.chars().count() < value.chars().count() && !shown.is_empty() {
        let mut cs = shown.chars();
        cs.next();
        shown = format!("…{}", cs.as_str());
    }
    let st = if focused { t.selected(true) } else { t.input() };
    let col = (lw + 1 + width(&shown)) as u16;
    (
        Line::from(vec![
            Span::styled(format!("{} ", pad(label, lw)), t.label()),
            Span::styled(pad(&shown, room), st),
        ]),
        col,
    )
}

/// `label value` on one line when it fits, else the value on a line of its
/// own under the label: an id is never broken across lines.
fn unbroken(app: &App, label: &str, value: &str, iw: usize, lw: usize) -> Vec<Line<'static>> {
    let t = app.theme();
    if lw + 1 + width(value) <= iw {
        return vec![Line::from(vec![
            Span::styled(format!("{} ", pad(label, lw)), t.label()),
            Span::styled(value.to_string(), t.value()),
        ])];
    }
    vec![
        Line::styled(label.to_string(), t.label()),
        Line::styled(cut(value, iw, "…"), t.value()),
    ]
}
