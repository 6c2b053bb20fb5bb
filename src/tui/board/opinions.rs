//! The panel's opinion (专家组意见) on the board: the chair's desk — the
//! opinion log and the chair's unlocked key — a draft built from the
//! experts' comments, and the editor over the board.
//!
//! Every save is one signed event in the chair's opinion log, durable
//! before the board says "saved"; `panelist merge --opinions LOG` puts the
//! final opinions into the signed result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::crypto::sign::VerifyKey;
use crate::domain::opinion::FinalOpinion;
use crate::domain::text::inert_line;
use crate::formats::merged::{MergedApp, MergedPayload};
use crate::keyring::Unlocked;
use crate::keyring::owner::OwnerKey;
use crate::store::opinions::{OpinionLog, OpinionMeta};
use crate::support::clock::Clock;
use crate::support::lang::Lang;
use crate::tui::kit::editor::TextEditor;
use crate::tui::kit::frame::centered;
use crate::tui::text::{fit, wrap};
use crate::tui::theme::Theme;

/// The chair's opinion log and key, for the board's writes.
pub struct Desk {
    path: PathBuf,
    /// Open once the first opinion is saved (or when the log exists).
    log: Option<OpinionLog>,
    meta: OpinionMeta,
    key: Unlocked,
    /// The chair's current key first, then previous ones.
    accepted: Vec<VerifyKey>,
    clock: Clock,
    finals: BTreeMap<String, FinalOpinion>,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("path", &self.path)
            .field("meta", &self.meta)
            .finish()
    }
}

impl Desk {
    /// The desk of chair `chair` over the merged result `payload`, with the
    /// log at `path`: an existing log is checked whole (schema, chain,
    /// every event signed by the chair's key) and must be of the same
    /// bundle and chair; a missing one is started at the first save.
    pub fn open(
        path: &Path,
        payload: &MergedPayload,
        chair: &str,
        key: Unlocked,
        previous: Vec<VerifyKey>,
        clock: Clock,
    ) -> Result<Desk> {
        let mut accepted = vec![key.key.verify_key().clone()];
        accepted.extend(previous);
        let meta = OpinionMeta {
            bundle_id: payload.bundle.id.clone(),
            bundle_digest: payload.bundle.digest.clone(),
            chair: chair.to_string(),
            key_id: key.key_id().to_string(),
        };
        let ids: std::collections::BTreeSet<&str> =
            payload.applications.iter().map(|a| a.id.as_str()).collect();
        let log = if std::fs::symlink_metadata(path).is_ok() {
            let log = OpinionLog::open(
                path,
                true,
                &|h, s| crate::crypto::event::signed_by_any(&accepted, h, s),
                &|a| ids.contains(a),
            )?;
            let m = log.meta();
            if m.bundle_digest != meta.bundle_digest {
                bail!(
                    "{}",
                    crate::tr!(
                        format!(
                            "{}：这份专家组意见记录属于另一个评审包，不是此汇总结果的评审包",
                            path.display()
                        ),
                        format!(
                            "{}: this opinion log is of another bundle than the merged result's",
                            path.display()
                        )
                    )
                );
            }
            if m.chair != meta.chair {
                bail!(
                    "{}",
                    crate::tr!(
                        format!(
                            "{}：这份专家组意见记录属于组长 {}，你是 {}",
                            path.display(),
                            inert_line(&m.chair),
                            meta.chair
                        ),
                        format!(
                            "{}: this opinion log is chair {}'s; you are {}",
                            path.display(),
                            inert_line(&m.chair),
                            meta.chair
                        )
                    )
                );
            }
            Some(log)
        } else {
            None
        };
        let finals = log.as_ref().map(|l| l.finals()).unwrap_or_default();
        Ok(Desk {
            path: path.to_path_buf(),
            log,
            meta,
            key,
            accepted,
            clock,
            finals,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The chair writing.
    pub fn chair(&self) -> &str {
        &self.meta.chair
    }

    /// The opinion on `app` as the log stands.
    pub fn opinion(&self, app: &str) -> Option<&FinalOpinion> {
        self.finals.get(app)
    }

    /// Applications with an opinion.
    pub fn count(&self) -> usize {
        self.finals.len()
    }

    /// Events in the log.
    pub fn events(&self) -> usize {
        self.log.as_ref().map_or(0, |l| l.events().len())
    }

    /// Records `text` as the opinion on `app` (empty withdraws it): one
    /// signed event, durable when this returns. Returns its seq.
    pub fn save(&mut self, app: &str, text: &str) -> Result<u64> {
        if self.log.is_none() {
            self.log = Some(OpinionLog::create(&self.path, &self.meta)?);
        }
        let Some(log) = self.log.as_mut() else {
            bail!("no log");
        };
        let owner = OwnerKey::new(&self.key.key, self.accepted[1..].to_vec());
        let ev = log.append(app, text, &self.clock, &owner)?;
        self.finals = log.finals();
        Ok(ev.seq)
    }
}

/// The draft of an opinion: the panel's figures in one sentence, then each
/// scorer's recommendation and comment, for the chair to edit.
pub fn draft(p: &MergedPayload, a: &MergedApp, lang: Lang) -> String {
    let n = a.scorers.len();
    let total = a
        .total
        .as_ref()
        .map(|t| t.pick(p.method.rule).to_string())
        .unwrap_or_else(|| "—".into());
    let rank = a.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into());
    let rule = p.method.rule.key();
    let mut out = match lang {
        Lang::Zh => format!(
            "专家组意见：\n{n} 位专家评审（{} 位回避），{} 位推荐、{} 位不推荐；总分（{rule}）{total}，本方向第 {rank} 名。\n\n各专家评审意见：",
            a.recused.len(),
            a.recommend_yes,
            a.recommend_no
        ),
        Lang::En => format!(
            "Panel opinion:\n{n} experts scored ({} recused), {} recommend, {} do not; total ({rule}) {total}, rank {rank} in the direction.\n\nThe experts' comments:",
            a.recused.len(),
            a.recommend_yes,
            a.recommend_no
        ),
    };
    for m in &a.by_expert {
        let rec = match (m.recommend, lang) {
            (true, Lang::Zh) => "推荐",
            (false, Lang::Zh) => "不推荐",
            (true, Lang::En) => "recommends",
            (false, Lang::En) => "does not recommend",
        };
        let c = crate::domain::text::inert(m.comment.trim(), true);
        let c = c.replace('\n', " ");
        match lang {
            Lang::Zh => out.push_str(&format!("\n- {}（{rec}）：{c}", inert_line(&m.expert))),
            Lang::En => out.push_str(&format!("\n- {} ({rec}): {c}", inert_line(&m.expert))),
        }
    }
    out
}

/// The editor open on one application's opinion.
#[derive(Debug)]
pub struct OpinionEditor {
    pub app: String,
    pub title: String,
    pub edit: TextEditor,
    /// The draft it started from, until the first save.
    pub draft: Option<String>,
    /// The last save's failure, shown in the editor until the next key.
    pub error: Option<String>,
}

/// The strings the editor shows.
pub struct EditorText<'a> {
    pub title: &'a str,
    pub count: String,
    pub draft_note: &'a str,
    pub hint: &'a str,
    pub target: String,
}

impl OpinionEditor {
    pub fn draw(&self, frame: &mut Frame, t: Theme, area: Rect, s: &EditorText<'_>) {
        let w = area.width.saturating_sub(4).min(110);
        let h = area.height.saturating_sub(2).min(30);
        let r = centered(area, w, h);
        frame.render_widget(Clear, r);
        let inner = crate::tui::kit::frame::frame_box(
            frame,
            t,
            r,
            format!("{} · {}", s.title, inert_line(&self.app)),
        );
        let [title_area, edit_area, note_area, count_area, hint_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let iw = inner.width as usize;
        frame.render_widget(
            Paragraph::new(Line::styled(
                fit(&inert_line(&self.title), iw, "…"),
                t.heading(),
            )),
            title_area,
        );
        self.edit.draw(frame, edit_area);
        let (note, style) = match &self.error {
            Some(e) => (e.clone(), t.error()),
            None if self.draft.is_some() => (s.draft_note.to_string(), t.dim()),
            None => (s.target.clone(), t.dim()),
        };
        let note = wrap(&note, iw.max(8))
            .into_iter()
            .next()
            .unwrap_or_default();
        frame.render_widget(
            Paragraph::new(Span::styled(fit(&note, iw, "…"), style)),
            note_area,
        );
        frame.render_widget(
            Paragraph::new(Span::styled(fit(&s.count, iw, "…"), t.dim())),
            count_area,
        );
        frame.render_widget(
            Paragraph::new(Span::styled(fit(s.hint, iw, "…"), t.dim())),
            hint_area,
        );
    }
}
