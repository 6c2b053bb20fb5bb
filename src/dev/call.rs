//! A whole generated call for the ministry's combine: several panels, each
//! its own bundle of a few directions, its own experts and its own chair,
//! merged and signed by the chair; the ministry's roster and key; and the
//! planted problems the combine must find (see [`PLANTED`]).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, bail};

use super::generate;
use crate::crypto::Alg;
use crate::crypto::envelope::Envelope;
use crate::crypto::sign::SecretKey;
use crate::domain::catalog::shipped_catalog;
use crate::domain::history;
use crate::domain::{Application, RosterEntry, Unit};
use crate::formats::ExpertRef;
use crate::store::Bundle;
use crate::support::clock::Clock;

/// The passphrase of the generated ministry key (`DIR/ministry.pass`).
pub const MINISTRY_PASS: &str = "ministry passphrase of a generated call";

/// What a generated call plants, in `DIR/planted.json` too.
pub const PLANTED: &str = "same-application: P01-0000 is in panels 1 and 2 (P01-0000 copied into panel 2). multi-route: P01-0001's title is P03-0001's, through another authority. unit-limit: 全国示范网络安全科技有限公司 leads P01-0002, P02-0002 and P03-0002. authority-limit: 计划单列示范通信管理局 recommends P01-0003, P01-0004, P02-0003, P02-0004, P03-0003 and P03-0004. high-end-limit: 高精尖示范工业和信息化厅 recommends P01-0005, P02-0005 and P03-0005 in direction 13. tie: P01-0007 and P02-0006 have full marks in the catalog's second direction, which quota.toml gives 1 place (3 each other direction). forged/: a panel result changed after signing, one signed by a key that is no chair's, an unsigned draft, and a second version of panel 1's result.";

/// The applications every expert of their panel gives full marks: tied
/// at rank 1 of their direction (the catalog's second), across panels 1
/// and 2. `DIR/quota.toml` gives that direction 1 place: a tie at the cut.
pub const TIED: [&str; 2] = ["P01-0007", "P02-0006"];

/// The key of generated person `who` of `seed`: the same every run.
pub fn key_of(seed: u64, who: &str) -> Result<SecretKey> {
    use sha2::Digest as _;
    let bytes = sha2::Sha256::digest(format!("panelist generated call\n{seed}\n{who}"));
    SecretKey::from_bytes(Alg::Ed25519, &bytes, None).map_err(|e| anyhow::anyhow!("{e}"))
}

fn entry(id: &str, name: &str, role: Option<&str>, key: &SecretKey) -> RosterEntry {
    let vk = key.verify_key();
    RosterEntry {
        id: id.into(),
        name: name.into(),
        org: "生成评审单位".into(),
        role: role.map(str::to_string),
        alg: Some("ed25519".into()),
        public_key: Some(history::hex(vk.public_key())),
        key_id: Some(vk.key_id()),
        sm2_id: None,
        previous_keys: Vec::new(),
    }
}

/// Panel `k`'s applications (0-based panel; ids `P{k+1:02}-{i:04}`): the
/// generator's, in two directions of the catalog, each unit and authority
/// the panel's own.
fn panel_apps(k: usize, apps: usize, seed: u64) -> Result<Vec<Application>> {
    let catalog = shipped_catalog("2023").map_err(anyhow::Error::msg)?;
    let dirs = &catalog.directions;
    let mut v = generate::applications(&catalog, apps, seed.wrapping_add(k as u64 * 7_919));
    for (i, a) in v.iter_mut().enumerate() {
        a.id = format!("P{:02}-{i:04}", k + 1);
        let d = &dirs[(k + i % 2) % dirs.len()];
        a.direction = Some(d.code);
        a.authority = format!("{}·第{}组", a.authority, k + 1);
        a.title = format!("{}·{}组{i}号", a.title, k + 1);
        for u in std::iter::once(&mut a.lead_unit).chain(a.joint_units.iter_mut()) {
            u.name = format!("{}（{}组）", u.name, k + 1);
        }
    }
    Ok(v)
}

/// Plants the call-wide problems in panels 0, 1 and 2 (see [`PLANTED`]).
fn plant(panels: &mut [Vec<Application>]) {
    if panels.len() < 3 || panels.iter().take(3).any(|p| p.len() < 6) {
        return;
    }
    let copy = panels[0][0].clone();
    panels[1][0] = copy;
    panels[0][1].title = panels[2][1].title.clone();
    let unit = Unit {
        name: "全国示范网络安全科技有限公司".into(),
        credit_code: generate::credit_code(99_991),
        sme: false,
    };
    for p in panels.iter_mut().take(3) {
        p[2].lead_unit = unit.clone();
        p[2].joint_units.clear();
        for a in &mut p[3..5] {
            a.authority = "计划单列示范通信管理局".into();
        }
        p[5].authority = "高精尖示范工业和信息化厅".into();
        p[5].direction = Some(13);
    }
    for (k, id) in TIED.iter().enumerate() {
        if let Some(a) = panels[k].iter_mut().find(|a| a.id == *id) {
            a.lead_unit.sme = false;
        }
    }
}

/// Writes the call into `dir`: `panels/pNN/` (bundle, roster, exports),
/// `merged/pNN.json` (signed by chair CNN), `roster.json` (the chairs and
/// the ministry, M01), `ministry.key` and `ministry.pass`, `forged/` and
/// `planted.json`.
/// The panel's opinion panel 1's chair writes on its first application.
pub const OPINION: &str = "专家组意见：同意推荐。\n该项目技术路线清晰，已在多地部署。";

pub fn generate_call(
    dir: &Path,
    panels: usize,
    experts: usize,
    apps: usize,
    seed: u64,
    clock: &Clock,
) -> Result<()> {
    use crate::merge::{InputFile, MergeOptions};
    if panels == 0 || experts == 0 || apps == 0 {
        bail!("a call needs at least one panel, expert and application");
    }
    std::fs::create_dir_all(dir.join("merged"))?;
    std::fs::create_dir_all(dir.join("forged"))?;
    let mut all: Vec<Vec<Application>> = (0..panels)
        .map(|k| panel_apps(k, apps, seed))
        .collect::<Result<_>>()?;
    plant(&mut all);
    let mut ministry_roster = Vec::new();
    let opts = MergeOptions {
        params: crate::domain::aggregate::Params::default(),
        skip_invalid: false,
        allow_partial: false,
        exclude_ineligible: false,
    };
    let created = clock.stamp();
    let mut first: Option<(crate::formats::merged::MergedPayload, SecretKey)> = None;
    for (k, applications) in all.into_iter().enumerate() {
        let pdir = dir.join(format!("panels/p{:02}", k + 1));
        let name = format!("第{}评审组", k + 1);
        let spec = super::PanelSpec {
            experts,
            seed: seed.wrapping_add(k as u64),
            recuse_pct: 2,
            top_marks: TIED.iter().map(|t| t.to_string()).collect(),
        };
        let mut roster = super::write_panel(&pdir, applications, &name, &spec, clock)?;
        let chair_id = format!("C{:02}", k + 1);
        let chair_key = key_of(seed, &chair_id)?;
        let chair = entry(
            &chair_id,
            &format!("组长{:02}", k + 1),
            Some("chair"),
            &chair_key,
        );
        roster.push(chair.clone());
        crate::support::fs::write_atomic(
            &pdir.join("roster.json"),
            serde_json::to_string_pretty(&roster)?.as_bytes(),
        )?;
        ministry_roster.push(chair.clone());
        let bundle = Bundle::open_read(&pdir.join("panel.bundle"))?;
        let mut inputs = Vec::new();
        for e in roster.iter().filter(|e| e.role.is_none()) {
            let f = pdir.join(format!("exports/{}.json", e.id));
            inputs.push(InputFile::on_disk(format!("{}.json", e.id), f));
        }
        let chair_ref = ExpertRef {
            id: chair.id.clone(),
            name: chair.name.clone(),
            org: chair.org.clone(),
            key_id: chair_key.verify_key().key_id(),
        };
        let merged = match crate::merge::merge(
            &bundle,
            &roster,
            &inputs,
            &opts,
            &created,
            Some(chair_ref),
            &mut |_, _| {},
        )? {
            Ok(m) => m,
            Err(s) => bail!("panel {}: merge stopped: {}", k + 1, s.problems.join("; ")),
        };
        let mut merged = merged;
        if k == 0 {
            // Panel 1's chair writes the panel's opinion on its first
            // application: a real opinion log, merged in.
            let log = pdir.join("opinions.log");
            let _ = std::fs::remove_file(&log);
            let meta = crate::store::opinions::OpinionMeta {
                bundle_id: bundle.meta.bundle_id.clone(),
                bundle_digest: bundle.meta.digest.clone(),
                chair: chair_id.clone(),
                key_id: chair_key.verify_key().key_id(),
            };
            let mut l = crate::store::opinions::OpinionLog::create(&log, &meta)?;
            let owner = crate::keyring::owner::OwnerKey::new(&chair_key, Vec::new());
            if let Some(a) = merged.payload.applications.first() {
                l.append(&a.id, OPINION, clock, &owner)?;
            }
            drop(l);
            let o = crate::merge::opinions::read(&log, &roster, &bundle.meta.digest, &|id| {
                bundle.has_application(id)
            })?;
            crate::merge::opinions::attach(&mut merged.payload, &o)?;
        }
        let env = crate::merge::envelope(&merged.payload, Some(&chair_key))?;
        crate::support::fs::write_atomic(
            &dir.join(format!("merged/p{:02}.json", k + 1)),
            env.to_text().as_bytes(),
        )?;
        if k == 0 {
            first = Some((merged.payload, chair_key));
        }
    }
    let ministry_key = key_of(seed, "M01")?;
    ministry_roster.push(entry(
        "M01",
        "工业和信息化部",
        Some("ministry"),
        &ministry_key,
    ));
    crate::support::fs::write_atomic(
        &dir.join("roster.json"),
        serde_json::to_string_pretty(&ministry_roster)?.as_bytes(),
    )?;
    let sealed = crate::crypto::keys::KeyFile::seal(
        &ministry_key,
        &crate::crypto::keys::Owner {
            id: "M01".into(),
            name: "工业和信息化部".into(),
            org: "网络安全管理局".into(),
        },
        &crate::crypto::keys::Passphrase::new(MINISTRY_PASS.into()),
        crate::crypto::keys::KdfCost {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        &created,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::support::fs::write_atomic_mode(
        &dir.join("ministry.key"),
        sealed.to_text().as_bytes(),
        Some(0o600),
    )?;
    crate::support::fs::write_atomic(
        &dir.join("ministry.pass"),
        format!("{MINISTRY_PASS}\n").as_bytes(),
    )?;
    if let Some((payload, chair_key)) = first {
        write_forged(dir, &payload, &chair_key, seed)?;
    }
    let catalog = shipped_catalog("2023").map_err(anyhow::Error::msg)?;
    let tie_dir = catalog.directions[1 % catalog.directions.len()].code;
    let quota: String = catalog
        .directions
        .iter()
        .map(|d| format!("{} = {}\n", d.code, if d.code == tie_dir { 1 } else { 3 }))
        .collect();
    crate::support::fs::write_atomic(&dir.join("quota.toml"), quota.as_bytes())?;
    let planted: BTreeMap<&str, &str> = BTreeMap::from([("planted", PLANTED)]);
    crate::support::fs::write_atomic(
        &dir.join("planted.json"),
        serde_json::to_string_pretty(&planted)?.as_bytes(),
    )?;
    Ok(())
}

/// The bad panel results of `forged/`, all made from panel 1's.
fn write_forged(
    dir: &Path,
    payload: &crate::formats::merged::MergedPayload,
    chair_key: &SecretKey,
    seed: u64,
) -> Result<()> {
    let write = |name: &str, env: &Envelope| {
        crate::support::fs::write_atomic(&dir.join("forged").join(name), env.to_text().as_bytes())
    };
    // Changed after signing: a figure raised, the chair's signature kept.
    let mut changed = payload.clone();
    if let Some(t) = changed
        .applications
        .iter_mut()
        .find_map(|a| a.total.as_mut())
    {
        t.trimmed = "99.0000".into();
    }
    let signed = crate::merge::envelope(payload, Some(chair_key))?;
    let mut env = crate::merge::envelope(&changed, None)?;
    env.signatures = signed.signatures;
    write("p01-changed.json", &env)?;
    // Signed by a key the ministry's roster does not give a chair.
    let stranger = key_of(seed, "stranger")?;
    write(
        "p01-stranger.json",
        &crate::merge::envelope(payload, Some(&stranger))?,
    )?;
    // An unsigned draft.
    write("p01-draft.json", &crate::merge::envelope(payload, None)?)?;
    // A second version of panel 1's result, merged a second later.
    let mut again = payload.clone();
    again.created = bump(&again.created);
    write(
        "p01-v2.json",
        &crate::merge::envelope(&again, Some(chair_key))?,
    )?;
    Ok(())
}

/// A stamp one second later (the generator's clock stays well inside a
/// minute).
fn bump(stamp: &str) -> String {
    match crate::support::clock::parse(stamp) {
        Some(t) => crate::support::clock::stamp(t + time::Duration::seconds(1)),
        None => stamp.to_string(),
    }
}
