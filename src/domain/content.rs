//! What a bundle is made of, and its digest: SHA-256 over the RFC 8785
//! canonical JSON of `{"applications", "catalog", "format", "rubric"}` with
//! applications sorted by id. Panel name, bundle id and roster are not part
//! of the content: the digest says which applications were scored against
//! which catalog and rubric.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{Application, Catalog, RosterEntry, Rubric};

pub const CONTENT_FORMAT: &str = "panelist.bundle-content.v1";

#[derive(Debug, Clone)]
pub struct Content {
    pub catalog: Catalog,
    pub rubric: Rubric,
    pub applications: Vec<Application>,
    pub roster: Vec<RosterEntry>,
}

#[derive(Serialize)]
struct Canon<'a> {
    format: &'static str,
    catalog: &'a Catalog,
    rubric: &'a Rubric,
    applications: Vec<&'a Application>,
}

/// The canonical bytes the bundle digest is taken over.
pub fn canonical_bytes(catalog: &Catalog, rubric: &Rubric, apps: &[Application]) -> Vec<u8> {
    let mut sorted: Vec<&Application> = apps.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let c = Canon {
        format: CONTENT_FORMAT,
        catalog,
        rubric,
        applications: sorted,
    };
    serde_json_canonicalizer::to_vec(&c).unwrap_or_default()
}

pub fn digest(catalog: &Catalog, rubric: &Rubric, apps: &[Application]) -> [u8; 32] {
    Sha256::digest(canonical_bytes(catalog, rubric, apps)).into()
}
