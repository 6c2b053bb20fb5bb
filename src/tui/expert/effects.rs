//! The expert screens' only I/O: signed store writes, the claim, unlocking
//! and making the owner's key, and the export, run by the loop for
//! [`App`]. The unlocked key lives here, in the [`WorkingCopy`] the loop
//! holds, never in the app's state; it is wiped (its own `Drop`) when the
//! working copy is dropped on exit.

use std::path::{Path, PathBuf};

use super::dialogs::ExportTarget;
use super::state::{App, ExportFailure, KeyMade, UnlockFailure};
use crate::crypto::keys::Passphrase;
use crate::domain::Application;
use crate::domain::history::Change;
use crate::export::ExportSummary;
use crate::keyring::session::Session as Signed;
use crate::keyring::{KeyInfo, KeyListing, Unlocked};
use crate::store::{Bundle, Identity};
use crate::support::clock::Clock;
use crate::tui::ScreenBasics;

/// Work for the loop: the app never does I/O itself.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Record a change, signed with the owner's unlocked key
    /// (`keyring::session::Session::append_all`); the result goes back to
    /// `App::on_appended`.
    Append(Change),
    /// Make the working copy this expert's (`Bundle::claim`); the result
    /// goes back to `App::on_claimed`.
    Claim(Identity),
    /// Open the owner's key with the typed passphrase and start signing
    /// (`keyring::unlock_with`, `Session::with_bundle`); the result goes
    /// back to `App::on_unlocked`.
    Unlock(UnlockRequest),
    /// Make the owner's key, write its roster entry beside the copy and
    /// start signing with it; the results go back to `App::on_key_made`
    /// and `App::on_unlocked`.
    MakeKey(NewKeyRequest),
    /// Look at the export's output path: its full path, and whether a
    /// file (or a folder) is there; the result goes back to
    /// `App::on_export_target`.
    CheckExport(PathBuf),
    /// Open the expert's key and write the signed scores file
    /// (`keyring::unlock_with`, `export::export_bundle`); the result goes
    /// back to `App::on_exported`.
    Export(ExportRequest),
    /// Write the score sheet (PDF) of this export beside it, in this
    /// language (`paper::read_sheet`, titles from the working copy); the
    /// result goes back to `App::on_sheet`.
    PrintSheet(PathBuf, crate::support::lang::Lang),
    Quit,
}

/// What the export dialog asks the loop to do. The passphrase moves here
/// from the dialog's field (which is left empty) and is zeroed when the
/// request is dropped.
#[derive(Debug)]
pub struct ExportRequest {
    /// The key's expert id (the working copy's owner).
    pub expert: String,
    pub out: PathBuf,
    pub allow_incomplete: bool,
    /// The expert agreed to replace the file at `out`.
    pub replace: bool,
    pub passphrase: Passphrase,
}

impl PartialEq for ExportRequest {
    fn eq(&self, o: &ExportRequest) -> bool {
        self.expert == o.expert
            && self.out == o.out
            && self.allow_incomplete == o.allow_incomplete
            && self.replace == o.replace
            && self.passphrase.same_as(&o.passphrase)
    }
}

impl Eq for ExportRequest {}

/// The passphrase dialog's request: open `expert`'s key.
#[derive(Debug)]
pub struct UnlockRequest {
    pub expert: String,
    pub passphrase: Passphrase,
}

impl PartialEq for UnlockRequest {
    fn eq(&self, o: &UnlockRequest) -> bool {
        self.expert == o.expert && self.passphrase.same_as(&o.passphrase)
    }
}

impl Eq for UnlockRequest {}

/// The new-key dialog's request: the roster's identity and the passphrase
/// typed twice.
#[derive(Debug)]
pub struct NewKeyRequest {
    pub id: String,
    pub name: String,
    pub org: String,
    pub passphrase: Passphrase,
}

impl PartialEq for NewKeyRequest {
    fn eq(&self, o: &NewKeyRequest) -> bool {
        self.id == o.id
            && self.name == o.name
            && self.org == o.org
            && self.passphrase.same_as(&o.passphrase)
    }
}

impl Eq for NewKeyRequest {}

/// Where the roster entry of a key made on the screens is written: beside
/// the working copy, `<expert-id>.roster-entry.json`.
pub fn roster_entry_path(copy: &Path, expert: &str) -> PathBuf {
    let name = format!("{expert}.roster-entry.json");
    match copy.parent() {
        Some(d) if d != Path::new("") => d.join(name),
        _ => PathBuf::from(name),
    }
}

enum Open {
    /// No key unlocked yet (or the copy was refused): nothing is written
    /// but the claim.
    Locked(Box<Bundle>),
    /// Signed in: every change is signed with the owner's key.
    Signed(Box<Signed>),
    /// The copy could not be reopened after a refusal.
    Closed(String),
}

/// The working copy as the loop holds it: opened for writing, and once
/// the owner's key is unlocked, a signing session on it.
pub struct WorkingCopy {
    path: PathBuf,
    open: Open,
}

impl WorkingCopy {
    /// Starts the copy's content check beside the screens once the first
    /// frame is drawn (a no-op afterwards); no change is recorded before it
    /// passed.
    pub fn start_content_check(&mut self) {
        match &mut self.open {
            Open::Locked(b) => b.start_content_check(),
            Open::Signed(s) => s.bundle.start_content_check(),
            Open::Closed(_) => {}
        }
    }

    /// Every application with its texts, for the screens that opened with
    /// the list alone: as the content check read them (waits for it), or,
    /// when the content was refused, as the file holds them (the copy is
    /// then shown, never scored: the refusal comes with the first change).
    pub fn applications(&mut self) -> Result<Vec<Application>, String> {
        let checked = match &mut self.open {
            Open::Locked(b) => b.checked_applications(),
            Open::Signed(s) => s.bundle.checked_applications(),
            Open::Closed(m) => return Err(m.clone()),
        };
        checked.or_else(|_| {
            let read = match &self.open {
                Open::Locked(b) => b.applications(),
                Open::Signed(s) => s.bundle.applications(),
                Open::Closed(m) => return Err(m.clone()),
            };
            read.map_err(|e| e.to_string())
        })
    }

    /// A copy opened for writing, its key not yet unlocked.
    pub fn new(bundle: Bundle) -> WorkingCopy {
        WorkingCopy {
            path: bundle.path().to_path_buf(),
            open: Open::Locked(Box::new(bundle)),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bundle, to read (closed only after a failed reopen).
    pub fn bundle(&self) -> Option<&Bundle> {
        match &self.open {
            Open::Locked(b) => Some(b),
            Open::Signed(s) => Some(&s.bundle),
            Open::Closed(_) => None,
        }
    }

    /// Whether changes are signed and written.
    pub fn is_signed(&self) -> bool {
        matches!(self.open, Open::Signed(_))
    }

    fn bundle_mut(&mut self) -> Result<&mut Bundle, String> {
        match &mut self.open {
            Open::Locked(b) => Ok(b),
            Open::Signed(s) => Ok(&mut s.bundle),
            Open::Closed(e) => Err(e.clone()),
        }
    }

    /// Starts signing with `key`: the copy is checked (its owner, every
    /// event's signature, the last head this key signed); the result goes
    /// to `App::on_unlocked`. A refused copy stays open read-only.
    pub fn sign_in(&mut self, key: Unlocked, app: &mut App) {
        let bundle = match std::mem::replace(&mut self.open, Open::Closed(String::new())) {
            Open::Locked(b) => *b,
            Open::Signed(s) => s.bundle,
            Open::Closed(e) => {
                self.open = Open::Closed(e.clone());
                app.on_unlocked(Err(UnlockFailure::Refused(e)));
                return;
            }
        };
        match Signed::with_bundle(bundle, key) {
            Ok(s) => {
                let notice = s.notice.clone();
                self.open = Open::Signed(Box::new(s));
                app.on_unlocked(Ok(notice));
            }
            Err(e) => {
                let msg = said(&e, app);
                self.open = match Bundle::open_write(&self.path) {
                    Ok(b) => Open::Locked(Box::new(b)),
                    Err(e2) => Open::Closed(said(&e2.into(), app)),
                };
                app.on_unlocked(Err(UnlockFailure::Refused(msg)));
            }
        }
    }
}

/// Runs one effect against the working copy and hands the result back to
/// the app. Returns false when the loop should end.
pub fn run_effect(copy: &mut WorkingCopy, clock: &Clock, app: &mut App, effect: Effect) -> bool {
    match effect {
        Effect::Append(change) => {
            let r = match &mut copy.open {
                Open::Signed(s) => s
                    .append_all(vec![change], clock)
                    .map_err(|e| said(&e, app))
                    .and_then(|mut evs| evs.pop().ok_or_else(|| "no change recorded".into())),
                _ => Err(app.s().unlock_later.to_string()),
            };
            app.on_appended(r);
            true
        }
        Effect::Claim(who) => {
            let r = copy
                .bundle_mut()
                .and_then(|b| b.claim(&who).map_err(|e| said(&e.into(), app)));
            app.on_claimed(who, r);
            true
        }
        Effect::Unlock(req) => {
            match crate::keyring::unlock_with(Some(&req.expert), &req.passphrase) {
                Ok(key) => copy.sign_in(key, app),
                Err(e) => {
                    let f = unlock_failure(&e, app);
                    app.on_unlocked(Err(f))
                }
            }
            true
        }
        Effect::MakeKey(req) => {
            make_key(copy, clock, app, &req);
            true
        }
        Effect::CheckExport(path) => {
            app.on_export_target(export_target(&path));
            true
        }
        Effect::Export(req) => {
            let r = if !req.replace && req.out.exists() {
                let shown = crate::domain::text::inert_line(&req.out.display().to_string());
                Err(ExportFailure::Appeared(crate::tui::kit::strings::fill(
                    app.extra().export_appeared,
                    &[&shown],
                )))
            } else {
                export(copy.path(), clock, &req, app.lang())
            };
            app.on_exported(r);
            true
        }
        Effect::PrintSheet(export, lang) => {
            app.on_sheet(print_sheet(copy.path(), &export, lang).map_err(|e| format!("{e:#}")));
            true
        }
        Effect::Quit => false,
    }
}

/// An error as the screen shows it: one line in the screen's language.
fn said(e: &anyhow::Error, app: &App) -> String {
    crate::tui::kit::errors::error_text(e, app.lang())
}

fn unlock_failure(e: &anyhow::Error, app: &App) -> UnlockFailure {
    match e.downcast_ref::<crate::keyring::WrongPassphrase>() {
        Some(w) => UnlockFailure::WrongPassphrase(w.path.clone()),
        None => UnlockFailure::Key(said(e, app)),
    }
}

/// Makes the key, writes its roster entry beside the copy, then signs in.
fn make_key(copy: &mut WorkingCopy, clock: &Clock, app: &mut App, req: &NewKeyRequest) {
    let new = crate::keyring::NewKey {
        id: &req.id,
        name: &req.name,
        org: &req.org,
        alg: crate::crypto::Alg::Ed25519,
        sm2_id: None,
        passphrase_file: None,
        force: false,
    };
    let (made, key) = match crate::keyring::create_unlocked(&new, &req.passphrase, clock) {
        Ok(m) => m,
        Err(e) => {
            let msg = said(&e, app);
            app.on_key_made(Err(msg));
            return;
        }
    };
    let entry = made.file.roster_entry();
    let json = match crate::support::jsonio::to_string_pretty_inert(&entry) {
        Ok(j) => j,
        Err(e) => {
            let msg = said(&e.into(), app);
            app.on_key_made(Err(msg));
            return;
        }
    };
    let out = roster_entry_path(copy.path(), &req.id);
    let mut bytes = json.clone().into_bytes();
    bytes.push(b'\n');
    let written = crate::support::fs::write_atomic(&out, &bytes)
        .map(|_| out.clone())
        .map_err(|e| crate::tui::kit::errors::error_text(&e, app.lang()));
    app.on_key_made(Ok(KeyMade {
        listing: KeyListing {
            path: made.path.clone(),
            id: made.file.id.clone(),
            public: Ok(KeyInfo::of(&made.file)),
        },
        roster_json: json,
        roster_file: written,
    }));
    copy.sign_in(key, app);
}

/// What is at the export's output path: its full path (relative to the
/// working directory), and whether a file, a folder or no folder is there.
pub fn export_target(path: &Path) -> ExportTarget {
    let full = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    if full.is_dir() {
        return ExportTarget::Folder(full);
    }
    if full.exists() {
        return ExportTarget::Exists(full);
    }
    match full.parent() {
        Some(d) if !d.as_os_str().is_empty() && !d.is_dir() => {
            ExportTarget::NoFolder(d.to_path_buf())
        }
        _ => ExportTarget::Free(full),
    }
}

/// Where the score sheet of `export` goes: beside it, `STEM-sheet.pdf`.
pub fn sheet_path(export: &Path) -> PathBuf {
    let stem = export
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scores".into());
    export.with_file_name(format!("{stem}-sheet.pdf"))
}

/// Writes the score sheet of `export` (titles from the working copy
/// `bundle`) beside it.
fn print_sheet(
    bundle: &Path,
    export: &Path,
    lang: crate::support::lang::Lang,
) -> anyhow::Result<PathBuf> {
    let out = sheet_path(export);
    crate::support::fs::check_outputs(&[bundle, export], &[&out])?;
    let mut font = crate::paper::font_for(None, lang)?;
    let input = crate::paper::read_sheet(export, None, Some(bundle))?;
    let printed = crate::paper::sheet_pdf(&input, &mut font, lang)?;
    crate::paper::write_pdf(&out, &printed)?;
    Ok(out)
}

/// Opens the key with the typed passphrase and writes the signed file.
fn export(
    bundle: &Path,
    clock: &Clock,
    req: &ExportRequest,
    lang: crate::support::lang::Lang,
) -> Result<ExportSummary, ExportFailure> {
    let said = |e: &anyhow::Error| crate::tui::kit::errors::error_text(e, lang);
    let key = crate::keyring::unlock_with(Some(&req.expert), &req.passphrase).map_err(|e| {
        if let Some(w) = e.downcast_ref::<crate::keyring::WrongPassphrase>() {
            ExportFailure::WrongPassphrase(w.path.clone())
        } else {
            ExportFailure::Key(said(&e))
        }
    })?;
    crate::export::export_bundle(bundle, &key, &req.out, req.allow_incomplete, clock)
        .map_err(|e| ExportFailure::Export(said(&e)))
}
