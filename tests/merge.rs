//! `panelist merge` on a generated panel: 7 experts × 60 applications in
//! three directions, recusals (one application recused by everyone), an
//! outlier, planted ties, one expert who hands in twice (the later file
//! extends the earlier history), one edited file, one forked history and a
//! partial file. Every expected figure is computed here, independently of
//! `domain::aggregate`, with plain integer fractions.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use calamine::{Reader, Xlsx};
use common::cli::{Run, Scratch};
use common::panel::{CRITERIA, Expert, Fixture, PASS, make_key, mark_changes, read_env};
use panelist::crypto::Alg;
use panelist::crypto::envelope::{Envelope, MERGED_TYPE};
use panelist::crypto::keys::{KeyFile, Passphrase};
use panelist::crypto::sign::SecretKey;
use panelist::dev::generate::Rng;
use panelist::domain::RosterEntry;
use panelist::domain::catalog::{default_rubric, shipped_catalog};
use panelist::domain::content::Content;
use panelist::domain::history::Change;
use panelist::formats::merged::MergedPayload;
use panelist::keyring::Unlocked;
use panelist::merge::InputFile;
use panelist::store::{Bundle, Identity};
use panelist::support::clock::Clock;
use serde_json::json;

const N_APPS: usize = 60;
const EXPERTS: [&str; 7] = ["E01", "E02", "E03", "E04", "E05", "E06", "E07"];

/// Planted applications (indices; the id is `T-{index+1:05}`, the
/// direction `(index+1) % 3 + 1`, the lead unit an SME when index+1 is even).
const ALL_RECUSED: usize = 0;
const TWO_SCORERS: usize = 1;
const FOUR_SCORERS: usize = 2;
const OUTLIER: usize = 3;
/// T-00006 (SME) and T-00009 (not): equal on every score, the SME first.
const TIE_SME: (usize, usize) = (5, 8);
/// T-00012 and T-00018, both SMEs: equal on everything, one shared rank.
const TIE_SHARED: (usize, usize) = (11, 17);
/// E02's second session changes T-00011's innovation and recuses T-00014.
const E02_RESCORED: usize = 10;
const E02_RECUSED_LATER: usize = 13;
/// E03's two copies part here.
const E03_FORKED: usize = 20;

#[derive(Debug, Clone, PartialEq)]
enum Mark {
    Recused,
    Scored([i64; 4], bool),
}

fn app_id(i: usize) -> String {
    format!("T-{:05}", i + 1)
}

fn direction(i: usize) -> u32 {
    ((i + 1) % 3) as u32 + 1
}

fn sme(i: usize) -> bool {
    (i + 1).is_multiple_of(2)
}

/// The marks each expert's first complete file holds.
fn first_plan() -> BTreeMap<&'static str, Vec<Mark>> {
    let mut rng = Rng::new(20240301);
    let mut plan = BTreeMap::new();
    for (e, ex) in EXPERTS.iter().enumerate() {
        let mut marks = Vec::new();
        for i in 0..N_APPS {
            let m = match i {
                ALL_RECUSED => Mark::Recused,
                TWO_SCORERS if e < 5 => Mark::Recused,
                FOUR_SCORERS if e < 3 => Mark::Recused,
                OUTLIER if e == 6 => Mark::Scored([25, 25, 25, 25], true),
                OUTLIER => Mark::Scored([10 + e as i64 % 3, 11, 12, 10], false),
                i if i == TIE_SME.0 || i == TIE_SME.1 => {
                    Mark::Scored([24, 23 - e as i64 % 2, 24, 22], true)
                }
                i if i == TIE_SHARED.0 || i == TIE_SHARED.1 => {
                    Mark::Scored([23, 22, 23 - e as i64 % 3, 21], true)
                }
                _ => {
                    let forced = (ex == &"E02" && (i == E02_RESCORED || i == E02_RECUSED_LATER))
                        || (ex == &"E03" && i == E03_FORKED);
                    if !forced && rng.chance(6) {
                        Mark::Recused
                    } else {
                        let s = [0; 4].map(|_| 8 + rng.below(15) as i64);
                        Mark::Scored(s, s.iter().sum::<i64>() >= 60)
                    }
                }
            };
            marks.push(m);
        }
        plan.insert(*ex, marks);
    }
    plan
}

/// What the merge must count: E02's second file, E03's main copy.
fn final_plan() -> BTreeMap<&'static str, Vec<Mark>> {
    let mut plan = first_plan();
    let e2 = plan.get_mut("E02").expect("E02");
    if let Mark::Scored(s, _) = &mut e2[E02_RESCORED] {
        s[0] = 3;
    }
    e2[E02_RECUSED_LATER] = Mark::Recused;
    let e3 = plan.get_mut("E03").expect("E03");
    if let Mark::Scored(s, _) = &mut e3[E03_FORKED] {
        s[0] = 5;
    }
    plan
}

fn changes(marks: &[Mark], range: std::ops::Range<usize>) -> Vec<Change> {
    range
        .flat_map(|i| {
            let mark = match &marks[i] {
                Mark::Recused => None,
                Mark::Scored(s, rec) => Some((*s, *rec)),
            };
            mark_changes(app_id(i), mark)
        })
        .collect()
}

fn content() -> Content {
    Content {
        catalog: shipped_catalog("2023").expect("catalog"),
        rubric: default_rubric().expect("rubric"),
        applications: (0..N_APPS)
            .map(|i| common::bundle::app(i as u32 + 1, direction(i)))
            .collect(),
        roster: Vec::new(),
    }
}

fn unseal(f: &KeyFile) -> SecretKey {
    f.unseal(&Passphrase::new(PASS.into())).expect("unseal")
}

fn build() -> Fixture {
    let s = Scratch::for_fixture("merge");
    let pass = s.path("pass.txt");
    std::fs::write(&pass, format!("{PASS}\n")).expect("pass file");
    let bundle = s.path("panel.bundle");
    let setup = Clock::stepping("2024-03-01T08:00:00Z", 1000).expect("clock");
    Bundle::create(&bundle, &content(), "第三评审组", &setup, false).expect("bundle");

    let plan = first_plan();
    let mut roster: Vec<RosterEntry> = Vec::new();
    let mut experts: BTreeMap<&str, Expert> = BTreeMap::new();
    for ex in EXPERTS {
        let key = make_key(ex, Alg::Ed25519);
        roster.push(key.file.roster_entry());
        let copy = s.path(&format!("{ex}.bundle"));
        std::fs::copy(&bundle, &copy).expect("copy");
        let mut b = Bundle::open_write(&copy).expect("open");
        b.claim(&Identity {
            id: ex.into(),
            name: key.file.name.clone(),
            org: key.file.org.clone(),
            key_id: Some(key.file.key_id.clone()),
        })
        .expect("claim");
        drop(b);
        let clock = Clock::stepping("2024-03-01T09:00:00Z", 250).expect("clock");
        experts.insert(ex, Expert { key, copy, clock });
    }
    for ex in EXPERTS {
        let e = &experts[ex];
        if ex == "E07" {
            // A partial file half-way, then the rest.
            e.append(changes(&plan[ex], 0..N_APPS / 2));
            e.export(&s.path("E07-mid.json"), true);
            e.append(changes(&plan[ex], N_APPS / 2..N_APPS));
        } else {
            e.append(changes(&plan[ex], 0..N_APPS));
        }
    }
    for ex in EXPERTS {
        match ex {
            "E02" => experts[ex].export(&s.path("E02-a.json"), false),
            "E03" => {}
            _ => experts[ex].export(&s.path(&format!("{ex}.json")), false),
        }
    }
    // E02 comes back: rescoring one application, recusing another.
    experts["E02"].append(vec![
        Change::Score {
            app: app_id(E02_RESCORED),
            criterion: "innovation".into(),
            value: Some(3),
        },
        Change::Recuse {
            app: app_id(E02_RECUSED_LATER),
            reason: "后来发现本人曾参与该项目论证".into(),
        },
    ]);
    experts["E02"].export(&s.path("E02-b.json"), false);
    // E03's working copy is copied, and both copies go on differently.
    let e3 = &experts["E03"];
    let fork_copy = s.path("E03-fork.bundle");
    std::fs::copy(&e3.copy, &fork_copy).expect("copy");
    let fork = Expert {
        key: Unlocked {
            path: e3.key.path.clone(),
            file: e3.key.file.clone(),
            key: unseal(&e3.key.file),
        },
        copy: fork_copy,
        clock: Clock::stepping("2024-03-02T09:00:00Z", 250).expect("clock"),
    };
    let rescore = |v| Change::Score {
        app: app_id(E03_FORKED),
        criterion: "innovation".into(),
        value: Some(v),
    };
    e3.append(vec![rescore(5)]);
    e3.export(&s.path("E03.json"), false);
    fork.append(vec![rescore(6)]);
    fork.export(&s.path("E03-fork.json"), false);
    // An edited copy of E06's file: one figure changed, not re-signed.
    let mut env = read_env(&s.path("E06.json"));
    let mut pv = env.payload_value().expect("payload");
    let a = &mut pv["applications"][30];
    let v = a["scores"]["practicality"].as_i64().expect("scored");
    a["scores"]["practicality"] = json!(v + 1);
    a["total"] = json!(a["total"].as_i64().expect("total") + 1);
    env.set_payload_value(&pv).expect("jcs");
    std::fs::write(s.path("E06-edited.json"), env.to_text()).expect("write");

    // The chair's key through the command line, role "chair" in the roster.
    let fx = Fixture {
        s,
        bundle,
        roster: PathBuf::new(),
        pass,
        expert_key: unseal(&experts["E01"].key.file),
    };
    let r = fx.run(&[
        "key",
        "new",
        "--id",
        "C01",
        "--name",
        "组长",
        "--org",
        "评审组",
    ]);
    assert_eq!(r.code, 0, "key new: {}", r.stderr);
    let r = fx.run(&["key", "show", "--id", "C01", "--roster-entry"]);
    let mut chair: RosterEntry = serde_json::from_str(&r.stdout).expect("entry");
    chair.role = Some("chair".into());
    roster.push(chair);
    let roster_path = fx.path("roster.json");
    std::fs::write(
        &roster_path,
        serde_json::to_string_pretty(&roster).expect("json"),
    )
    .expect("roster");
    Fixture {
        roster: roster_path,
        ..fx
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build)
}

const MAIN_INPUTS: [&str; 9] = [
    "E01.json",
    "E02-a.json",
    "E02-b.json",
    "E03.json",
    "E04.json",
    "E05.json",
    "E06.json",
    "E06-edited.json",
    "E07.json",
];

/// The signed merge of the main inputs, made once.
fn merged() -> &'static (Run, MergedPayload) {
    static M: OnceLock<(Run, MergedPayload)> = OnceLock::new();
    M.get_or_init(|| {
        let fx = fixture();
        let out = fx.path("merged.json").display().to_string();
        let csv = fx.path("merged.csv").display().to_string();
        let xlsx = fx.path("merged.xlsx").display().to_string();
        let r = fx.merge(
            &MAIN_INPUTS,
            &[
                "-o",
                &out,
                "--csv",
                &csv,
                "--xlsx",
                &xlsx,
                "--key",
                "C01",
                "--skip-invalid",
                "--lang",
                "zh",
            ],
        );
        assert_eq!(r.code, 0, "merge: {}\n{}", r.stdout, r.stderr);
        let env = read_env(&fx.path("merged.json"));
        assert_eq!(env.payload_type, MERGED_TYPE);
        let p: MergedPayload =
            serde_json::from_value(env.payload_value().expect("payload")).expect("typed payload");
        (r, p)
    })
}

// ---------------------------------------------------------------------
// Independent arithmetic: fractions of i128, decimal strings, square roots.

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs().max(1)
    } else {
        gcd(b, a % b)
    }
}

#[derive(Debug, Clone, Copy)]
struct F(i128, i128);

impl F {
    fn new(n: i128, d: i128) -> F {
        let g = gcd(n, d);
        let s = if d < 0 { -1 } else { 1 };
        F(s * n / g, s * d / g)
    }
    fn int(n: i64) -> F {
        F(n as i128, 1)
    }
    fn add(self, o: F) -> F {
        F::new(self.0 * o.1 + o.0 * self.1, self.1 * o.1)
    }
    fn sub(self, o: F) -> F {
        F::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn div(self, o: F) -> F {
        F::new(self.0 * o.1, self.1 * o.0)
    }
    fn gt(self, o: F) -> bool {
        self.0 * o.1 > o.0 * self.1
    }
    fn eq(self, o: F) -> bool {
        self.0 * o.1 == o.0 * self.1
    }
}

/// 4 places, half away from zero.
fn dec(f: F) -> String {
    let neg = f.0 < 0;
    let a = f.0.abs() * 10_000;
    let mut q = a / f.1;
    if 2 * (a % f.1) >= f.1 {
        q += 1;
    }
    let sign = if neg && q != 0 { "-" } else { "" };
    format!("{sign}{}.{:04}", q / 10_000, q % 10_000)
}

fn mean(v: &[i64]) -> F {
    F::new(v.iter().map(|&x| x as i128).sum(), v.len() as i128)
}

fn median(v: &[i64]) -> F {
    let mut s = v.to_vec();
    s.sort();
    let n = s.len();
    if n % 2 == 1 {
        F::int(s[n / 2])
    } else {
        F::new(s[n / 2 - 1] as i128 + s[n / 2] as i128, 2)
    }
}

fn trimmed(v: &[i64]) -> F {
    if v.len() < 5 {
        return mean(v);
    }
    let mut s = v.to_vec();
    s.sort();
    mean(&s[1..s.len() - 1])
}

/// Sample standard deviation to 4 places: the largest m with
/// m² ≤ var·10⁸ by bisection, plus one when var·10⁸ ≥ (m + ½)².
fn sd(v: &[i64]) -> String {
    if v.len() < 2 {
        return "0.0000".into();
    }
    let m = mean(v);
    let ss = v.iter().fold(F::int(0), |acc, &x| {
        let d = F::int(x).sub(m);
        acc.add(F::new(d.0 * d.0, d.1 * d.1))
    });
    let var = ss.div(F::int(v.len() as i64 - 1));
    let (a, b) = (var.0 * 100_000_000, var.1);
    let (mut lo, mut hi) = (0i128, 10_000_000i128);
    while lo < hi {
        let mid = (lo + hi + 1) / 2;
        if mid * mid * b <= a {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let r = if (2 * lo + 1) * (2 * lo + 1) * b <= 4 * a {
        lo + 1
    } else {
        lo
    };
    format!("{}.{:04}", r / 10_000, r % 10_000)
}

/// What the merge must publish of one application.
struct Expect {
    scorers: Vec<String>,
    recused: Vec<String>,
    crit: [Vec<i64>; 4],
    totals: Vec<(String, i64)>,
    yes: u32,
    no: u32,
}

fn expectations(plan: &BTreeMap<&str, Vec<Mark>>) -> Vec<Expect> {
    (0..N_APPS)
        .map(|i| {
            let mut e = Expect {
                scorers: vec![],
                recused: vec![],
                crit: Default::default(),
                totals: vec![],
                yes: 0,
                no: 0,
            };
            for (ex, marks) in plan {
                match &marks[i] {
                    Mark::Recused => e.recused.push(ex.to_string()),
                    Mark::Scored(s, rec) => {
                        e.scorers.push(ex.to_string());
                        for (c, v) in e.crit.iter_mut().zip(s) {
                            c.push(*v);
                        }
                        e.totals.push((ex.to_string(), s.iter().sum()));
                        if *rec {
                            e.yes += 1;
                        } else {
                            e.no += 1;
                        }
                    }
                }
            }
            e
        })
        .collect()
}

fn totals(e: &Expect) -> Vec<i64> {
    e.totals.iter().map(|t| t.1).collect()
}

/// Competition rank: one plus the number of applications strictly ahead.
fn rank_by<K>(keys: &[(usize, K)], ahead: impl Fn(&K, &K) -> bool) -> BTreeMap<usize, u32> {
    keys.iter()
        .map(|(i, k)| {
            let before = keys.iter().filter(|(_, o)| ahead(o, k)).count();
            (*i, before as u32 + 1)
        })
        .collect()
}

// ---------------------------------------------------------------------

#[test]
fn a_bad_file_or_a_fork_stops_the_merge_and_lists_every_problem() {
    let fx = fixture();
    let out = fx.path("stopped.json");
    let mut inputs = MAIN_INPUTS.to_vec();
    inputs.push("E03-fork.json");
    let r = fx.merge(&inputs, &["-o", out.to_str().expect("path")]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(!out.exists(), "nothing written when the merge stops");
    let bad: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("BAD ")).collect();
    assert_eq!(bad.len(), 1, "{}", r.stdout);
    assert!(
        bad[0].starts_with("BAD E06-edited.json  ") && bad[0].contains("does not verify"),
        "{}",
        bad[0]
    );
    let fork: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("FORK "))
        .collect();
    assert_eq!(fork.len(), 1, "{}", r.stdout);
    let e3 = read_env(&fx.path("E03.json"));
    let e3f = read_env(&fx.path("E03-fork.json"));
    let size = e3.payload_value().expect("payload")["head"]["size"]
        .as_u64()
        .expect("size");
    for env in [&e3, &e3f] {
        let pv = env.payload_value().expect("payload");
        let hash = pv["head"]["hash"].as_str().expect("hash");
        assert!(
            fork[0].contains(&format!("head size {size}, hash {}", &hash[..16])),
            "both heads named: {}",
            fork[0]
        );
    }
    assert!(
        fork[0].contains("FORK expert E03: ") && fork[0].contains(&format!("part at seq {size}")),
        "{}",
        fork[0]
    );
    assert!(
        r.stderr.contains("merge stopped: 2 problem(s)"),
        "{}",
        r.stderr
    );
    // The newer file of E02 still reads as the extension it is.
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("OLD  E02-a.json  E02-b.json extends this history")),
        "{}",
        r.stdout
    );
}

#[test]
fn merged_figures_match_an_independent_computation() {
    let (run, p) = merged();
    let fx = fixture();
    // What the command said about its inputs.
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("SKIP E06-edited.json  ") && l.contains("does not verify")),
        "{}",
        run.stdout
    );
    let e2a = read_env(&fx.path("E02-a.json"));
    let e2b = read_env(&fx.path("E02-b.json"));
    let (na, nb) = (
        e2a.payload_value().expect("payload")["head"]["size"]
            .as_u64()
            .expect("a"),
        e2b.payload_value().expect("payload")["head"]["size"]
            .as_u64()
            .expect("b"),
    );
    assert_eq!(nb, na + 2);
    assert!(
        run.stdout.contains(&format!(
            "OLD  E02-a.json  E02-b.json extends this history from {na} to {nb} events"
        )),
        "{}",
        run.stdout
    );
    // The run is in Chinese (`--lang zh`): the summary names the chair in it.
    assert!(run.stdout.contains("组长 C01 签署"), "{}", run.stdout);

    // The record of inputs: file hashes, experts, keys, heads.
    let experts: Vec<&str> = p.inputs.iter().map(|i| i.expert.as_str()).collect();
    assert_eq!(experts, EXPERTS);
    for i in &p.inputs {
        assert_eq!(i.sha256, fx.input(&i.file).sha256(), "{}", i.file);
        let env = read_env(&fx.path(&i.file));
        assert_eq!(
            env.payload_value().expect("payload")["head"]["hash"],
            json!(i.head.hash)
        );
        assert_eq!(env.signatures[0].keyid, i.key_id);
    }
    assert_eq!(p.inputs[1].file, "E02-b.json");
    let left: Vec<(&str, &str)> = p
        .left_out
        .iter()
        .map(|l| (l.file.as_str(), l.reason.as_str()))
        .collect();
    assert_eq!(
        left,
        [("E06-edited.json", "invalid"), ("E02-a.json", "superseded")]
    );
    let bundle = Bundle::open_read(&fx.bundle).expect("bundle");
    assert_eq!(p.bundle.digest, bundle.meta.digest);
    assert_eq!(p.bundle.id, bundle.meta.bundle_id);
    assert_eq!(p.chair.as_ref().map(|c| c.id.as_str()), Some("C01"));
    let dirs: Vec<(u32, &str)> = p
        .directions
        .iter()
        .map(|d| (d.code, d.name_zh.as_str()))
        .collect();
    assert_eq!(
        dirs,
        [(1, "基础网络安全"), (2, "云计算安全"), (3, "人工智能安全")]
    );
    assert_eq!(p.method.rule.key(), "trimmed");
    assert_eq!((p.method.trim_min_n, p.method.quorum), (5, 3));
    assert!(p.method.rounding.contains("half away from zero"));
    assert!(p.method.agreement.contains("Krippendorff"));

    // Per application: counts, statistics, recommendations, flags.
    let plan = final_plan();
    let exp = expectations(&plan);
    assert_eq!(p.applications.len(), N_APPS);
    for (i, (a, e)) in p.applications.iter().zip(&exp).enumerate() {
        let id = app_id(i);
        assert_eq!(a.id, id);
        assert_eq!(a.direction, direction(i));
        assert_eq!(a.sme, sme(i));
        assert_eq!(a.title, format!("第{}号网络安全试点平台", i + 1));
        assert_eq!(a.scorers, e.scorers, "{id}");
        assert_eq!(a.recused, e.recused, "{id}");
        assert_eq!((a.recommend_yes, a.recommend_no), (e.yes, e.no), "{id}");
        let marks: Vec<(String, i64)> = a
            .by_expert
            .iter()
            .map(|m| (m.expert.clone(), m.total))
            .collect();
        assert_eq!(marks, e.totals, "{id} marks");
        let t = totals(e);
        match &a.total {
            None => assert!(t.is_empty(), "{id}"),
            Some(f) => {
                assert_eq!(f.n as usize, t.len(), "{id}");
                assert_eq!(f.mean, dec(mean(&t)), "{id} mean");
                assert_eq!(f.median, dec(median(&t)), "{id} median");
                assert_eq!(f.trimmed, dec(trimmed(&t)), "{id} trimmed");
                assert_eq!(f.trimmed_applied, t.len() >= 5, "{id}");
                assert_eq!(f.std, sd(&t), "{id} std");
                assert_eq!(f.min, *t.iter().min().expect("min"));
                assert_eq!(f.max, *t.iter().max().expect("max"));
            }
        }
        for (k, key) in CRITERIA.iter().enumerate() {
            let v = &e.crit[k];
            match a.criteria.get(*key) {
                None => assert!(v.is_empty(), "{id} {key}"),
                Some(f) => {
                    assert_eq!(f.mean, dec(mean(v)), "{id} {key}");
                    assert_eq!(f.median, dec(median(v)), "{id} {key}");
                    assert_eq!(f.trimmed, dec(trimmed(v)), "{id} {key}");
                    assert_eq!(f.std, sd(v), "{id} {key}");
                }
            }
        }
        assert_eq!(a.flags.below_quorum, t.len() < 3, "{id}");
        assert_eq!(a.flags.all_recused, e.recused.len() == 7, "{id}");
        let range = t.iter().max().unwrap_or(&0) - t.iter().min().unwrap_or(&0);
        assert_eq!(
            a.flags.high_disagreement,
            !t.is_empty() && range >= 30,
            "{id}"
        );
        let med = if t.is_empty() { F::int(0) } else { median(&t) };
        let far: Vec<String> = e
            .totals
            .iter()
            .filter(|(_, x)| {
                let d = F::int(*x).sub(med);
                d.0.abs() >= 25 * d.1
            })
            .map(|(ex, _)| ex.clone())
            .collect();
        assert_eq!(a.flags.outliers, far, "{id}");
    }
    // The planted cases read as planted.
    let app = |i: usize| &p.applications[i];
    assert!(app(ALL_RECUSED).flags.all_recused && app(ALL_RECUSED).rank.is_none());
    assert!(app(TWO_SCORERS).flags.below_quorum);
    assert_eq!(app(TWO_SCORERS).scorers, ["E06", "E07"]);
    assert!(!app(FOUR_SCORERS).flags.below_quorum);
    assert!(!app(FOUR_SCORERS).total.as_ref().expect("t").trimmed_applied);
    assert!(app(OUTLIER).flags.high_disagreement);
    assert_eq!(app(OUTLIER).flags.outliers, ["E07"]);
    assert!(app(E02_RECUSED_LATER).recused.contains(&"E02".to_string()));

    // Ranking per direction: trimmed, then SME, then innovation (trimmed).
    for d in 1..=3u32 {
        let idx: Vec<usize> = (0..N_APPS)
            .filter(|&i| direction(i) == d && !exp[i].totals.is_empty())
            .collect();
        let key = |i: usize| (trimmed(&totals(&exp[i])), sme(i), trimmed(&exp[i].crit[0]));
        let keys: Vec<(usize, (F, bool, F))> = idx.iter().map(|&i| (i, key(i))).collect();
        let want = rank_by(&keys, |o, k| {
            o.0.gt(k.0) || (o.0.eq(k.0) && ((o.1 && !k.1) || (o.1 == k.1 && o.2.gt(k.2))))
        });
        for (&i, &r) in &want {
            assert_eq!(p.applications[i].rank, Some(r), "{} rank", app_id(i));
            let tied = idx
                .iter()
                .any(|&j| j != i && trimmed(&totals(&exp[j])).eq(trimmed(&totals(&exp[i]))));
            assert_eq!(
                p.applications[i].tie_break.is_some(),
                tied,
                "{} tie note",
                app_id(i)
            );
        }
        for (rule, f) in [
            ("mean", mean as fn(&[i64]) -> F),
            ("median", median),
            ("trimmed", trimmed),
        ] {
            let keys: Vec<(usize, F)> = idx.iter().map(|&i| (i, f(&totals(&exp[i])))).collect();
            for (i, r) in rank_by(&keys, |o, k| o.gt(*k)) {
                assert_eq!(p.applications[i].ranks[rule], r, "{} {rule}", app_id(i));
            }
        }
        // z-scores: every expert has well over 10 scores.
        let z = zscores(&exp);
        let keys: Vec<(usize, i64)> = idx.iter().map(|&i| (i, z[&i])).collect();
        for (i, r) in rank_by(&keys, |o, k| o > k) {
            let a = &p.applications[i];
            assert_eq!(a.ranks["zscore"], r, "{} zscore", app_id(i));
            let rs: Vec<u32> = a.ranks.values().copied().collect();
            let spread = rs.iter().max().expect("r") - rs.iter().min().expect("r");
            assert_eq!(a.flags.rank_unstable, spread > 3, "{}", a.id);
        }
    }
    let (s1, s2) = (app(TIE_SME.0), app(TIE_SME.1));
    assert_eq!(
        s1.total.as_ref().map(|t| &t.trimmed),
        s2.total.as_ref().map(|t| &t.trimmed)
    );
    assert_eq!(s1.rank.map(|r| r + 1), s2.rank, "the SME ranks first");
    assert!(
        s1.tie_break
            .as_deref()
            .is_some_and(|t| t.contains("T-00009") && t.contains("broken by the tie-break")),
        "{:?}",
        s1.tie_break
    );
    let (t1, t2) = (app(TIE_SHARED.0), app(TIE_SHARED.1));
    assert_eq!(t1.rank, t2.rank, "a true tie shares its rank");
    assert!(
        t1.tie_break
            .as_deref()
            .is_some_and(|t| t.contains("still tied with T-00018")),
        "{:?}",
        t1.tie_break
    );
    assert!(p.method.tie_break.contains("small or micro"));

    // Expert statistics.
    let app_mean: Vec<Option<F>> = exp
        .iter()
        .map(|e| (!e.totals.is_empty()).then(|| mean(&totals(e))))
        .collect();
    for (k, ex) in EXPERTS.iter().enumerate() {
        let s = &p.experts[k];
        assert_eq!(s.expert, *ex);
        let mine: Vec<(usize, i64)> = (0..N_APPS)
            .filter_map(|i| match &plan[ex][i] {
                Mark::Scored(sc, _) => Some((i, sc.iter().sum())),
                Mark::Recused => None,
            })
            .collect();
        let recused = plan[ex].iter().filter(|m| **m == Mark::Recused).count();
        assert_eq!(s.scored as usize, mine.len(), "{ex}");
        assert_eq!(s.recused as usize, recused, "{ex}");
        let given: Vec<i64> = mine.iter().map(|m| m.1).collect();
        assert_eq!(s.mean_given.as_deref(), Some(dec(mean(&given)).as_str()));
        let len = mine.iter().fold(F::int(0), |acc, (i, t)| {
            acc.add(F::int(*t).sub(app_mean[*i].expect("scored")))
        });
        let len = len.div(F::int(mine.len() as i64));
        assert_eq!(s.leniency.as_deref(), Some(dec(len).as_str()), "{ex}");
    }
    // Krippendorff's alpha (interval), by its pair sums written out.
    for a in &p.agreement {
        let k = CRITERIA
            .iter()
            .position(|c| *c == a.criterion)
            .expect("criterion");
        let units: Vec<&Vec<i64>> = (0..N_APPS)
            .filter(|&i| direction(i) == a.direction && exp[i].crit[k].len() >= 2)
            .map(|i| &exp[i].crit[k])
            .collect();
        let n: i128 = units.iter().map(|u| u.len() as i128).sum();
        assert_eq!(a.pairable_values as i128, n);
        let pairs = |v: &[i64]| -> i128 {
            let mut s = 0;
            for (x, a) in v.iter().enumerate() {
                for (y, b) in v.iter().enumerate() {
                    if x != y {
                        s += ((a - b) as i128).pow(2);
                    }
                }
            }
            s
        };
        let d_o = units.iter().fold(F::int(0), |acc, u| {
            acc.add(F::new(pairs(u), u.len() as i128 - 1))
        });
        let d_o = d_o.div(F(n, 1));
        let all: Vec<i64> = units.iter().flat_map(|u| u.iter().copied()).collect();
        let d_e = F::new(pairs(&all), n * (n - 1));
        let alpha = F::int(1).sub(d_o.div(d_e));
        assert_eq!(a.alpha.as_deref(), Some(dec(alpha).as_str()), "{a:?}");
    }
    assert_eq!(p.agreement.len(), 3 * 4);
}

/// Each application's mean z-score, rounded to 1e-9, as the method states:
/// experts' mean and sample sd over all their totals (exact, then double),
/// z averaged over the scorers in id order.
fn zscores(exp: &[Expect]) -> BTreeMap<usize, i64> {
    let mut per: BTreeMap<&str, (i128, i128, i128)> = BTreeMap::new();
    for e in exp {
        for (ex, t) in &e.totals {
            let s = per.entry(ex.as_str()).or_default();
            s.0 += 1;
            s.1 += *t as i128;
            s.2 += (*t as i128) * (*t as i128);
        }
    }
    let norm: BTreeMap<&str, (f64, f64)> = per
        .iter()
        .map(|(ex, (n, s, q))| {
            let m = *s as f64 / *n as f64;
            let var = (n * q - s * s) as f64 / (n * (n - 1)) as f64;
            (*ex, (m, var.sqrt()))
        })
        .collect();
    exp.iter()
        .enumerate()
        .map(|(i, e)| {
            let mut sum = 0.0;
            for (ex, t) in &e.totals {
                let (m, sd) = norm[ex.as_str()];
                sum += (*t as f64 - m) / sd;
            }
            let z = if e.totals.is_empty() {
                0.0
            } else {
                sum / e.totals.len() as f64
            };
            (i, (z * 1e9).round() as i64)
        })
        .collect()
}

#[test]
fn verify_accepts_the_chair_signature_and_refuses_changes_and_strangers() {
    let fx = fixture();
    merged();
    let m = fx.path("merged.json");
    let ms = m.display().to_string();
    let roster = fx.roster.display().to_string();
    let bundle = fx.bundle.display().to_string();
    let r = fx.run(&["verify", &ms, "--roster", &roster, "--bundle", &bundle]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let full = panelist::verify::set::sha256_hex(&std::fs::read(&m).expect("merged"));
    // The CSV and XLSX the merge wrote beside it belong to it.
    let sha: String = <sha2::Sha256 as sha2::Digest>::digest(std::fs::read(&m).expect("merged"))
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let mc = fx.path("merged.csv").display().to_string();
    let mx = fx.path("merged.xlsx").display().to_string();
    assert_eq!(
        r.stdout,
        format!(
            "OK  {ms}  merged result by C01 (组长)  7 experts, 60 applications, rule trimmed  SHA-256 {full}\n\
             OK  {mc}  CSV of {ms} (signed file SHA-256 {sha})\n\
             OK  {mx}  XLSX of {ms} (signed file SHA-256 {sha})\n"
        )
    );
    let env = read_env(&m);
    let bad = |name: &str, env: &Envelope, fragment: &str| {
        let f = fx.path(name);
        std::fs::write(&f, env.to_text()).expect("write");
        let r = fx.run(&["verify", f.to_str().expect("p"), "--roster", &roster]);
        assert_eq!(r.code, 1, "{name}: {}\n{}", r.stdout, r.stderr);
        assert!(r.stdout.contains(fragment), "{name}: {}", r.stdout);
    };
    // A changed figure breaks the chair's signature.
    let mut changed = env.clone();
    let mut pv = env.payload_value().expect("payload");
    pv["applications"][5]["total"]["mean"] = json!("99.0000");
    changed.set_payload_value(&pv).expect("jcs");
    bad("changed.json", &changed, "does not verify");
    // Re-signed by a key outside the roster.
    let stranger = SecretKey::generate(Alg::Ed25519, None).expect("key");
    let resigned =
        Envelope::sign_bytes(MERGED_TYPE, changed.payload.clone(), &stranger).expect("sign");
    bad("stranger.json", &resigned, "which is not in the roster");
    // Re-signed by an expert of the roster, who is not the chair.
    let by_expert =
        Envelope::sign_bytes(MERGED_TYPE, env.payload.clone(), &fx.expert_key).expect("s");
    bad(
        "expert.json",
        &by_expert,
        "does not give E01 the role \"chair\"",
    );
}

#[test]
fn recompute_names_missing_inputs_and_every_changed_figure() {
    let fx = fixture();
    let (_, p) = merged();
    let inputs: Vec<InputFile> = p.inputs.iter().map(|i| fx.input(&i.file)).collect();
    panelist::merge::recompute(p, &inputs).expect("recomputes");
    // One input missing.
    let errs = panelist::merge::recompute(p, &inputs[1..]).expect_err("missing");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("missing input E01.json of expert E01 (sha256 "),
        "{errs:?}"
    );
    // Changed figures, named by application and field.
    let mut q = p.clone();
    q.applications[7].total.as_mut().expect("scored").mean = "1.0000".into();
    q.applications[9].rank = Some(99);
    q.experts[2].leniency = Some("9.9999".into());
    let errs = panelist::merge::recompute(&q, &inputs).expect_err("changed");
    assert_eq!(errs.len(), 3, "{errs:?}");
    let want = p.applications[7].total.as_ref().expect("t").mean.clone();
    assert_eq!(
        errs[0],
        format!("applications[T-00008].total.mean: file 1.0000, recomputed {want}")
    );
    assert!(errs[1].starts_with("applications[T-00010].rank: file 99, recomputed "));
    assert!(errs[2].starts_with("experts[E03].leniency: file 9.9999, recomputed "));
    // An input that is not the file the payload names.
    let mut other = inputs.clone();
    other[0] = fx.input("E06-edited.json");
    let errs = panelist::merge::recompute(p, &other).expect_err("swapped");
    assert!(errs[0].starts_with("missing input E01.json"), "{errs:?}");
}

#[test]
fn people_files_open_with_chinese_intact_and_rank_order_per_direction() {
    let fx = fixture();
    let (_, p) = merged();
    let bytes = std::fs::read(fx.path("merged.csv")).expect("csv");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(&rd.headers().expect("h")[3], "项目名称");
    let mut rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
    // The last row names the signed file the CSV belongs to.
    let mark = rows.pop().expect("mark row");
    assert_eq!(&mark[0], "已签名文件 SHA-256");
    assert_eq!(rows.len(), N_APPS);
    let row = rows.iter().find(|r| &r[2] == "T-00006").expect("row");
    assert_eq!(&row[3], "第6号网络安全试点平台");
    assert_eq!(&row[4], "测试单位6有限公司");
    let a = &p.applications[5];
    assert_eq!(&row[9], a.total.as_ref().expect("t").trimmed.as_str());
    assert_eq!(&row[1], a.rank.expect("rank").to_string().as_str());

    let x = std::fs::read(fx.path("merged.xlsx")).expect("xlsx");
    assert!(
        x.windows(20).any(|w| w == b"xl/charts/chart1.xml"),
        "a chart of totals"
    );
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(x)).expect("opens");
    let names = wb.sheet_names();
    // The summary, a sheet per direction, and every comment.
    assert_eq!(names.len(), 5, "{names:?}");
    assert_eq!(names[0], "汇总");
    assert_eq!(names[4], "评审意见");
    for (k, d) in (1..=3u32).enumerate() {
        let range = wb.worksheet_range(&names[k + 1]).expect("sheet");
        let rows: Vec<_> = range.rows().collect();
        assert_eq!(rows[0][3].to_string(), "项目名称");
        let ids: Vec<String> = rows[1..].iter().map(|r| r[2].to_string()).collect();
        let want: Vec<String> = p.ranked(d).iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids, want, "direction {d} in rank order");
    }
}

#[test]
fn partial_files_wait_for_allow_partial_and_an_unsigned_result_is_marked() {
    let fx = fixture();
    let dir = fx.path("inbox");
    std::fs::create_dir_all(&dir).expect("dir");
    for f in ["E01.json", "E04.json", "E05.json", "E07-mid.json"] {
        std::fs::copy(fx.path(f), dir.join(f)).expect("copy");
    }
    let out = dir.join("draft.json");
    let r = fx.merge(&["inbox"], &["-o", out.to_str().expect("p")]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("PART E07-mid.json  expert E07's file is partial")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("UNSIGNED draft"), "{}", r.stdout);
    let missing: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("MISS "))
        .collect();
    assert_eq!(
        missing.len(),
        4,
        "E02, E03, E06 and the partial E07: {}",
        r.stdout
    );
    let text = std::fs::read_to_string(&out).expect("out");
    let env = Envelope::parse_unsigned(&text).expect("parse");
    assert!(env.signatures.is_empty());
    assert_eq!(env.payload_value().expect("payload")["chair"], json!(null));
    let p: MergedPayload =
        serde_json::from_value(env.payload_value().expect("payload")).expect("payload");
    assert_eq!(p.inputs.len(), 3);
    assert_eq!(p.left_out[0].reason, "partial");
    let roster = fx.roster.display().to_string();
    let v = fx.run(&["verify", out.to_str().expect("p"), "--roster", &roster]);
    assert_eq!(v.code, 1, "{}", v.stdout);
    assert!(v.stdout.contains("unsigned merged result"), "{}", v.stdout);

    // Again, with the partial file admitted: its complete scores count.
    let r = fx.merge(
        &["inbox"],
        &["-o", out.to_str().expect("p"), "--allow-partial"],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let env = Envelope::parse_unsigned(&std::fs::read_to_string(&out).expect("o")).expect("p");
    let p: MergedPayload =
        serde_json::from_value(env.payload_value().expect("payload")).expect("payload");
    assert_eq!(p.inputs.len(), 4);
    assert!(p.method.allow_partial);
    let plan = first_plan();
    let first_half = N_APPS / 2 - 1;
    let last = N_APPS - 1;
    let counted = |i: usize| p.applications[i].scorers.contains(&"E07".to_string());
    assert_eq!(
        counted(first_half),
        matches!(plan["E07"][first_half], Mark::Scored(..))
    );
    assert!(!counted(last), "E07 had not scored the second half yet");
    // The merged file itself is no input for a later merge of the folder.
    let r = fx.merge(&["inbox"], &["-o", out.to_str().expect("p")]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn bad_usage_and_unreadable_inputs_exit_two() {
    let fx = fixture();
    let out = fx.path("never.json");
    let o = out.to_str().expect("p");
    fx.merge(&["E01.json", "missing.json"], &["-o", o])
        .assert_error(&["missing.json", "no such file"]);
    fx.merge(&["E01.json"], &["-o", o, "--trim-min-n", "2"])
        .assert_error(&["--trim-min-n 2"]);
    fx.merge(&["E01.json"], &["-o", o, "--key", "E09"])
        .assert_error(&["no key for E09"]);
    assert!(!out.exists());
}

#[test]
fn the_signed_file_written_in_pieces_is_the_envelope_byte_for_byte() {
    // The merge signs and writes its payload piece by piece; the text must
    // be what signing the whole payload gives, for either algorithm and
    // for an unsigned draft.
    let fx = fixture();
    let bundle = Bundle::open_read(&fx.bundle).expect("bundle");
    let roster: Vec<RosterEntry> =
        serde_json::from_str(&std::fs::read_to_string(&fx.roster).expect("roster")).expect("json");
    let inputs: Vec<InputFile> = ["E01.json", "E04.json", "E05.json", "E06.json"]
        .iter()
        .map(|n| fx.input(n))
        .collect();
    let merged = panelist::merge::merge_compact(
        &bundle,
        &roster,
        &inputs,
        &panelist::merge::MergeOptions::default(),
        "2024-03-05T08:00:00Z",
        None,
        &mut |_, _| {},
    )
    .expect("merge")
    .expect("not stopped");
    assert!(
        merged.marks.is_some(),
        "the compact marks are what is written in pieces"
    );
    let sm2 = make_key("C09", Alg::Sm2);
    for key in [None, Some(&fx.chair_key("C01")), Some(&sm2.key)] {
        let mut pieces = Vec::new();
        merged
            .write_signed_text(key, &mut pieces)
            .expect("written in pieces");
        let whole = merged.envelope(key).expect("envelope").to_text();
        assert_eq!(String::from_utf8(pieces).expect("utf-8"), whole);
    }
}
