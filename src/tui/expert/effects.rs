//! The expert screens' only I/O: store writes, the claim and the export,
//! run by the loop for [`App`].

use std::path::{Path, PathBuf};

use super::state::{App, ExportFailure};
use crate::crypto::keys::Passphrase;
use crate::domain::history::Change;
use crate::export::ExportSummary;
use crate::store::{Bundle, Identity};

/// Work for the loop: the app never does I/O itself.
#[derive(Debug, PartialEq, Eq)]
pub enum Effect {
    /// Record a change with `Bundle::append`; the result goes back to
    /// `App::on_appended`.
    Append(Change),
    /// Make the working copy this expert's (`Bundle::claim`); the result
    /// goes back to `App::on_claimed`.
    Claim(Identity),
    /// Open the expert's key and write the signed scores file
    /// (`keyring::unlock_with`, `export::export_bundle`); the result goes
    /// back to `App::on_exported`.
    Export(ExportRequest),
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
    pub passphrase: Passphrase,
}

impl PartialEq for ExportRequest {
    fn eq(&self, o: &ExportRequest) -> bool {
        self.expert == o.expert
            && self.out == o.out
            && self.allow_incomplete == o.allow_incomplete
            && self.passphrase.same_as(&o.passphrase)
    }
}

impl Eq for ExportRequest {}

/// Runs one effect against the bundle and hands the result back to the
/// app. Returns false when the loop should end.
pub fn run_effect(
    bundle: &mut Bundle,
    clock: &crate::support::clock::Clock,
    app: &mut App,
    effect: Effect,
) -> bool {
    match effect {
        Effect::Append(change) => {
            // Every event is signed by the owner's key when it is made;
            // until the screens hold the unlocked key, nothing is recorded.
            let _ = (change, clock);
            let r = Err("the key is not unlocked: nothing was recorded".to_string());
            app.on_appended(r);
            true
        }
        Effect::Claim(who) => {
            let r = bundle.claim(&who).map_err(|e| e.to_string());
            app.on_claimed(who, r);
            true
        }
        Effect::Export(req) => {
            app.on_exported(export(bundle.path(), clock, &req));
            true
        }
        Effect::Quit => false,
    }
}

/// Opens the key with the typed passphrase and writes the signed file.
fn export(
    bundle: &Path,
    clock: &crate::support::clock::Clock,
    req: &ExportRequest,
) -> Result<ExportSummary, ExportFailure> {
    let key = crate::keyring::unlock_with(Some(&req.expert), &req.passphrase).map_err(|e| {
        if let Some(w) = e.downcast_ref::<crate::keyring::WrongPassphrase>() {
            ExportFailure::WrongPassphrase(w.path.clone())
        } else {
            ExportFailure::Key(format!("{e:#}"))
        }
    })?;
    crate::export::export_bundle(bundle, &key, &req.out, req.allow_incomplete, clock)
        .map_err(|e| ExportFailure::Export(format!("{e:#}")))
}
