//! The embedded demo: a 2023-call panel of invented applications and a
//! seven-expert roster, built into a working copy under the data directory.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::domain::catalog::{default_rubric, shipped_catalog};
use crate::domain::content::Content;
use crate::domain::{RosterEntry, rules};
use crate::store::{Bundle, Identity};
use crate::support::clock::Clock;

pub const APPLICATIONS_JSON: &str = include_str!("../../assets/demo/applications.json");
pub const ROSTER_JSON: &str = include_str!("../../assets/demo/roster.json");
/// The expert the demo scores as.
pub const DEMO_EXPERT: &str = "E01";
/// The passphrase of the demo expert's key when the demo makes it (said
/// on the terminal before the screens, and on the screens).
pub const DEMO_PASSPHRASE: &str = "demo-passphrase";

/// The demo's content, parsed from the embedded files.
pub fn content() -> Result<(Content, String)> {
    let catalog = shipped_catalog("2023").map_err(anyhow::Error::msg)?;
    let rubric = default_rubric().map_err(anyhow::Error::msg)?;
    let name = std::path::Path::new("assets/demo/applications.json");
    let parsed = crate::import::parse_json_text(name, APPLICATIONS_JSON, &catalog)
        .context("embedded demo applications")?;
    let roster: Vec<RosterEntry> =
        crate::support::jsonio::from_str_strict(ROSTER_JSON).context("embedded demo roster")?;
    let panel = parsed.panel.clone().unwrap_or_else(|| "演示评审组".into());
    Ok((
        Content {
            catalog,
            rubric,
            applications: parsed.applications,
            roster,
        },
        panel,
    ))
}

/// The demo's working copy path.
pub fn working_copy() -> Result<PathBuf> {
    let dir = crate::support::paths::data_dir()?.join("demo");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join(format!("demo-{DEMO_EXPERT}.bundle")))
}

/// Makes (or, with `fresh`, remakes) the demo working copy, claimed by the
/// demo expert, and returns its path.
pub fn prepare(fresh: bool, clock: &Clock) -> Result<PathBuf> {
    let path = working_copy()?;
    if fresh || !path.exists() {
        let (content, panel) = content()?;
        Bundle::create(&path, &content, &panel, clock, true)?;
        let mut b = Bundle::open_write(&path)?;
        let who = demo_identity(&content.roster);
        b.claim(&who)?;
    }
    Ok(path)
}

pub fn demo_identity(roster: &[RosterEntry]) -> Identity {
    roster
        .iter()
        .find(|e| e.id == DEMO_EXPERT)
        .map(|e| Identity {
            id: e.id.clone(),
            name: e.name.clone(),
            org: e.org.clone(),
            key_id: None,
        })
        .unwrap_or(Identity {
            id: DEMO_EXPERT.into(),
            name: "演示专家".into(),
            org: "演示单位".into(),
            key_id: None,
        })
}

/// The eligibility findings of the demo (for the summary).
pub fn findings() -> Result<Vec<rules::Finding>> {
    let (c, _) = content()?;
    Ok(rules::check(&c.catalog, &c.applications))
}
