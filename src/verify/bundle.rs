//! What a verifier knows of the bundle the files claim to score.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, anyhow};

use crate::domain::{Application, Catalog};
use crate::formats::RubricRef;
use crate::formats::merged::{AppFacts, AppFinding, DirectionRef, app_facts};
use crate::store::Bundle;

/// What a verifier knows of the bundle the files claim to score.
#[derive(Debug, Clone)]
pub struct BundleFacts {
    pub path: String,
    pub id: String,
    pub digest: String,
    /// When the bundle was made, as written, and its instant when written
    /// as the formats require (events cannot be older).
    pub created_text: String,
    pub created: Option<i64>,
    pub rubric: RubricRef,
    pub app_ids: Vec<String>,
    /// What a merged result shows of each application, in bundle order.
    pub apps: Vec<AppFacts>,
    /// The catalog's directions that have applications, as a merged
    /// result names them.
    pub directions: Vec<DirectionRef>,
    /// The catalog and applications the eligibility screen reads.
    screen: std::sync::Arc<(Catalog, Vec<Application>)>,
    /// The screen's findings per application, run once when first asked.
    findings: std::sync::OnceLock<BTreeMap<String, Vec<AppFinding>>>,
}

impl BundleFacts {
    pub fn read(path: &Path) -> Result<BundleFacts> {
        BundleFacts::of(&Bundle::open_read(path)?)
    }

    /// The facts of an open bundle, after checking its content against its
    /// recorded digest.
    pub fn of(b: &Bundle) -> Result<BundleFacts> {
        let digest = b.recompute_digest()?;
        if digest != b.meta.digest {
            return Err(anyhow!(
                "{}: the bundle's content does not match its recorded digest (damaged or edited)",
                b.path().display()
            ));
        }
        let all = b.applications()?;
        let apps = app_facts(&all);
        Ok(BundleFacts {
            path: b.path().display().to_string(),
            id: b.meta.bundle_id.clone(),
            digest,
            created_text: b.meta.created.clone(),
            created: crate::domain::history::parse_time(&b.meta.created),
            rubric: RubricRef::of(&b.rubric),
            app_ids: apps.iter().map(|a| a.id.clone()).collect(),
            directions: DirectionRef::of(&b.catalog, &apps),
            apps,
            screen: std::sync::Arc::new((b.catalog.clone(), all)),
            findings: std::sync::OnceLock::new(),
        })
    }

    /// The bundle's eligibility findings per application (`bundle check`).
    pub fn findings(&self) -> &BTreeMap<String, Vec<AppFinding>> {
        self.findings.get_or_init(|| {
            let (catalog, apps) = &*self.screen;
            crate::formats::merged::app_findings(catalog, apps)
        })
    }
}
