//! Hidden developer commands used by the benchmarks and the reliability
//! suite: generate a large panel, and append scores in a loop announcing
//! each durable one (the crash test kills this process at random points).

pub mod call;
pub mod generate;

use std::io::Write;
use std::path::Path;

use anyhow::{Result, bail};

use crate::domain::catalog::shipped_catalog;
use crate::domain::history::Change;
use crate::store::Bundle;
use crate::support::clock::Clock;
use generate::Rng;

/// Writes `n` generated applications as an application JSON file.
pub fn generate_apps(n: usize, seed: u64, call: &str, out: &Path) -> Result<()> {
    let catalog = shipped_catalog(call).map_err(anyhow::Error::msg)?;
    let apps = generate::applications(&catalog, n, seed);
    let v = serde_json::json!({
        "call": call,
        "panel": format!("生成评审组（{n}项）"),
        "applications": apps,
    });
    crate::support::fs::write_atomic(out, serde_json::to_string(&v)?.as_bytes())
}

/// The soak's key when the keys folder has none, made in memory from the
/// bundle id (so every soak run on one copy signs with the same key): the
/// events it signs are as real as any; the key is never kept, and is no
/// secret — it serves the crash tests only.
pub fn soak_key(id: &str, bundle_id: &str, clock: &Clock) -> Result<crate::keyring::Unlocked> {
    use crate::crypto::keys::{KdfCost, KeyFile, Owner, Passphrase};
    use crate::crypto::sign::SecretKey;
    use sha2::Digest as _;
    let seed = sha2::Sha256::digest(format!("panelist soak key\n{bundle_id}\n{id}"));
    let key = SecretKey::from_bytes(crate::crypto::Alg::Ed25519, &seed, None)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let file = KeyFile::seal(
        &key,
        &Owner {
            id: id.into(),
            name: "压力测试".into(),
            org: "测试".into(),
        },
        &Passphrase::new("soak passphrase, never kept".into()),
        KdfCost {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        &clock.stamp(),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(crate::keyring::Unlocked {
        path: std::path::PathBuf::from(format!("{id}.key")),
        file,
        key,
    })
}

/// Appends `count` random valid score changes signed by `key` (or a key
/// made in memory), printing `ack SEQ APP CRITERION VALUE` after each
/// returns (that is, once durable).
pub fn soak(
    path: &Path,
    count: u64,
    seed: u64,
    clock: &Clock,
    key: Option<crate::keyring::Unlocked>,
) -> Result<()> {
    let key = match key {
        Some(k) => k,
        None => {
            let b = Bundle::open_read(path)?;
            let id = b.owner()?.map_or("E01".to_string(), |o| o.id);
            soak_key(&id, &b.meta.bundle_id, clock)?
        }
    };
    let mut s = crate::keyring::session::Session::open(path, key)?;
    let apps: Vec<String> = s.bundle.applications()?.into_iter().map(|a| a.id).collect();
    if apps.is_empty() {
        bail!("{}: no applications", path.display());
    }
    let crit: Vec<(String, i64, i64)> = s
        .bundle
        .rubric
        .criteria
        .iter()
        .map(|c| (c.key.clone(), c.min, c.max))
        .collect();
    let mut r = Rng::new(seed);
    let out = std::io::stdout();
    let mut out = out.lock();
    for _ in 0..count {
        let app = r.pick(&apps).clone();
        let (key, lo, hi) = r.pick(&crit).clone();
        let v = lo + r.below((hi - lo + 1) as usize) as i64;
        let evs = s.append_all(
            vec![Change::Score {
                app: app.clone(),
                criterion: key.clone(),
                value: Some(v),
            }],
            clock,
        )?;
        let seq = evs.last().map_or(0, |e| e.seq);
        writeln!(out, "ack {seq} {app} {key} {v}")?;
        out.flush()?;
    }
    Ok(())
}

/// Writes a whole generated panel for the merge benchmark and tests:
/// `DIR/panel.bundle`, `DIR/roster.json` and one signed export per expert
/// in `DIR/exports/`. Keys are made in memory (never written); scores are
/// an application's merit plus the expert's leniency plus noise; about
/// `recuse_pct` percent of pairs are recusals.
pub fn generate_panel(
    dir: &Path,
    experts: usize,
    apps: usize,
    seed: u64,
    recuse_pct: u32,
    clock: &Clock,
) -> Result<()> {
    let catalog = shipped_catalog("2023").map_err(anyhow::Error::msg)?;
    let applications = generate::applications(&catalog, apps, seed);
    let panel = format!("生成评审组（{experts}×{apps}）");
    let spec = PanelSpec {
        experts,
        seed,
        recuse_pct,
        top_marks: Vec::new(),
    };
    write_panel(dir, applications, &panel, &spec, clock).map(|_| ())
}

/// How a generated panel scores.
#[derive(Debug, Clone, Default)]
pub struct PanelSpec {
    pub experts: usize,
    pub seed: u64,
    /// About this percent of pairs are recusals.
    pub recuse_pct: u32,
    /// Applications every expert gives every criterion's maximum (never
    /// recused): equal figures in every panel, for planted ties.
    pub top_marks: Vec<String>,
}

/// [`generate_panel`] of the `applications` given, under the panel name
/// `panel`. Returns the roster written.
pub fn write_panel(
    dir: &Path,
    applications: Vec<crate::domain::Application>,
    panel: &str,
    spec: &PanelSpec,
    clock: &Clock,
) -> Result<Vec<crate::domain::RosterEntry>> {
    let (experts, seed, recuse_pct) = (spec.experts, spec.seed, spec.recuse_pct);
    use crate::crypto::Alg;
    use crate::crypto::envelope::{Envelope, SCORES_TYPE};
    use crate::crypto::sign::SecretKey;
    use crate::domain::RosterEntry;
    use crate::domain::catalog::default_rubric;
    use crate::domain::content::Content;
    use crate::domain::history;
    use crate::formats::scores::{ScoresPayload, results};
    use crate::formats::{BundleRef, ExpertRef, HeadRef, RubricRef, SCORES_FORMAT};

    std::fs::create_dir_all(dir.join("exports"))?;
    let catalog = shipped_catalog("2023").map_err(anyhow::Error::msg)?;
    let rubric = default_rubric().map_err(anyhow::Error::msg)?;
    let apps = applications.len();
    let app_ids: Vec<String> = applications.iter().map(|a| a.id.clone()).collect();
    let mut r = Rng::new(seed ^ 0xE1);
    let keys: Vec<SecretKey> = (0..experts)
        .map(|_| SecretKey::generate(Alg::Ed25519, None))
        .collect::<Result<_, _>>()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let roster: Vec<RosterEntry> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| RosterEntry {
            id: format!("E{:03}", i + 1),
            name: format!("专家{:03}", i + 1),
            org: format!("第{}评审单位", i + 1),
            role: None,
            alg: Some("ed25519".into()),
            public_key: Some(history::hex(k.verify_key().public_key())),
            key_id: Some(k.verify_key().key_id()),
            sm2_id: None,
            previous_keys: Vec::new(),
        })
        .collect();
    let content = Content {
        catalog,
        rubric: rubric.clone(),
        applications,
        roster: roster.clone(),
    };
    let bundle_path = dir.join("panel.bundle");
    let meta = Bundle::create(&bundle_path, &content, panel, clock, true)?;
    crate::support::fs::write_atomic(
        &dir.join("roster.json"),
        serde_json::to_string_pretty(&roster)?.as_bytes(),
    )?;
    let digest = history::unhex32(&meta.digest).unwrap_or([0; 32]);
    let merit: Vec<i64> = (0..apps).map(|_| 8 + r.below(14) as i64).collect();
    let created = clock.stamp();
    for (e, key) in keys.iter().enumerate() {
        let id = &roster[e].id;
        let lenient = r.below(7) as i64 - 3;
        let mut prev = history::genesis(&digest, id);
        let mut events = Vec::with_capacity(apps * 6);
        let mut push = |change: Change, events: &mut Vec<history::Event>| {
            let ev = history::make_event(events.len() as u64 + 1, &prev, &created, id, change);
            prev = history::unhex32(&ev.hash).unwrap_or([0; 32]);
            events.push(ev);
        };
        for (a, app) in app_ids.iter().enumerate() {
            let top = spec.top_marks.contains(app);
            if !top && r.chance(recuse_pct) {
                push(
                    Change::Recuse {
                        app: app.clone(),
                        reason: "与申报单位存在合作关系".into(),
                    },
                    &mut events,
                );
                continue;
            }
            for c in &rubric.criteria {
                let v = (merit[a] + lenient + r.below(7) as i64 - 3).clamp(c.min, c.max);
                let v = if top { c.max } else { v };
                push(
                    Change::Score {
                        app: app.clone(),
                        criterion: c.key.clone(),
                        value: Some(v),
                    },
                    &mut events,
                );
            }
            push(
                Change::Comment {
                    app: app.clone(),
                    text:
                        "技术路线清晰，部署成效明确，已稳定运行两年以上，具备在同行业推广的条件。"
                            .into(),
                },
                &mut events,
            );
            push(
                Change::Recommend {
                    app: app.clone(),
                    value: Some(merit[a] >= 14),
                },
                &mut events,
            );
        }
        let results = results(&rubric, &app_ids, &events).map_err(anyhow::Error::msg)?;
        let head = HeadRef {
            size: events.len() as u64,
            hash: history::hex(&prev),
        };
        let payload = ScoresPayload {
            format: SCORES_FORMAT.into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            bundle: BundleRef {
                id: meta.bundle_id.clone(),
                digest: meta.digest.clone(),
                call: meta.call.clone(),
                panel: meta.panel.clone(),
            },
            expert: ExpertRef {
                id: id.clone(),
                name: roster[e].name.clone(),
                org: roster[e].org.clone(),
                key_id: key.verify_key().key_id(),
            },
            created: created.clone(),
            partial: false,
            rubric: RubricRef::of(&rubric),
            applications: results,
            history: events,
            head,
        };
        let env = Envelope::sign(SCORES_TYPE, serde_json::to_value(&payload)?, key)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        crate::support::fs::write_atomic(
            &dir.join(format!("exports/{id}.json")),
            env.to_text().as_bytes(),
        )?;
    }
    Ok(roster)
}
