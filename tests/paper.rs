//! The printed documents: an expert's score sheet and the panel's summary
//! from a generated panel (60 applications, long Chinese comments,
//! recusals, a tie, flags), read back with poppler's pdftotext and
//! rendered with pdftoppm; the same file prints the same bytes; every page
//! names the file's SHA-256, the one `sha256sum` and `panelist verify`
//! print.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::bundle::{clock, content};
use common::cli::{Run, Scratch};
use common::panel::{CRITERIA, Expert, make_key};
use panelist::crypto::Alg;
use panelist::domain::history::Change;
use panelist::formats::merged::MergedPayload;
use panelist::formats::scores::ScoresPayload;
use panelist::store::{Bundle, Identity};

const N: u32 = 60;
const EXPERTS: [&str; 4] = ["E01", "E02", "E03", "E04"];

/// A long comment, different for every expert and application.
fn comment(ex: &str, i: u32) -> String {
    let base = "该项目面向关键信息基础设施的安全防护需求，技术路线清晰，已在多家单位部署运行，检测与处置能力经过实际攻防演练检验，";
    format!(
        "{ex}对第{i}号项目的意见：{}具备在同行业复制推广的条件。建议进一步完善数据安全管理制度（编号{ex}-{i:03}）。",
        base.repeat(2 + (i as usize % 4))
    )
}

/// Whether `ex` recuses application `i`.
fn recuses(ex: &str, i: u32) -> bool {
    // Application 7 is recused by three of four (below quorum).
    (i == 7 && ex != "E01") || (i.is_multiple_of(11) && ex == "E02")
}

fn scores(ex: &str, i: u32) -> [i64; 4] {
    let e = i64::from(ex.as_bytes()[2] - b'0');
    // Applications 3 and 16 (same direction) score alike: a tie.
    let i = if i == 16 { 3 } else { i64::from(i) };
    // Application 5: the experts disagree widely.
    if i == 5 {
        return if e % 2 == 0 {
            [25, 25, 25, 25]
        } else {
            [2, 2, 2, 2]
        };
    }
    let b = 8 + (i * 7 + e) % 15;
    [b, b + 1, (b + 2).min(25), b - 1]
}

struct Built {
    s: Scratch,
    bundle: PathBuf,
    roster: PathBuf,
    merged: PathBuf,
}

impl Built {
    fn export(&self, ex: &str) -> PathBuf {
        self.s.path(&format!("{ex}.json"))
    }

    fn run(&self, args: &[&str]) -> Run {
        self.s.run(args)
    }
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(build)
}

fn build() -> Built {
    let s = Scratch::for_fixture("paper");
    let bundle = s.path("panel.bundle");
    Bundle::create(&bundle, &content(N), "测试评审组", &clock(), false).expect("bundle");
    let mut roster = Vec::new();
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
        let e = Expert {
            key,
            copy,
            clock: panelist::support::clock::Clock::stepping("2024-03-01T09:00:00Z", 250)
                .expect("clock"),
        };
        let mut cs = Vec::new();
        for i in 1..=N {
            let app = format!("T-{i:05}");
            if recuses(ex, i) {
                cs.push(Change::Recuse {
                    app,
                    reason: format!("本人与第{i}号项目申报单位存在合作关系"),
                });
                continue;
            }
            for (k, v) in CRITERIA.iter().zip(scores(ex, i)) {
                cs.push(Change::Score {
                    app: app.clone(),
                    criterion: k.to_string(),
                    value: Some(v),
                });
            }
            cs.push(Change::Comment {
                app: app.clone(),
                text: comment(ex, i),
            });
            cs.push(Change::Recommend {
                app,
                value: Some(!i.is_multiple_of(3)),
            });
        }
        e.append(cs);
        e.export(&s.path(&format!("{ex}.json")), false);
    }
    let roster_path = s.path("roster.json");
    std::fs::write(
        &roster_path,
        serde_json::to_string_pretty(&roster).expect("json"),
    )
    .expect("roster");
    let merged = s.path("merged.json");
    let mut args = vec![
        "merge".to_string(),
        "--bundle".into(),
        bundle.display().to_string(),
        "--roster".into(),
        roster_path.display().to_string(),
        "-o".into(),
        merged.display().to_string(),
    ];
    args.extend(
        EXPERTS
            .iter()
            .map(|ex| s.path(&format!("{ex}.json")).display().to_string()),
    );
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = s.run(&argv);
    assert_eq!(r.code, 0, "merge: {}\n{}", r.stdout, r.stderr);
    Built {
        s,
        bundle,
        roster: roster_path,
        merged,
    }
}

fn payload<T: panelist::formats::Payload>(p: &Path) -> T {
    let text = std::fs::read_to_string(p).expect("read");
    let env = panelist::verify::parse_envelope(&text).expect("envelope");
    panelist::verify::read_payload(&env).expect("payload")
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!("{name} (poppler-utils) is needed by this test: {e}; apt-get install poppler-utils")
    });
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The text of every page (pdftotext splits pages with form feeds).
fn pages(pdf: &Path) -> Vec<String> {
    let t = tool("pdftotext", &[pdf.to_str().expect("p"), "-"]);
    let mut v: Vec<String> = t.split('\u{c}').map(str::to_string).collect();
    if v.last().is_some_and(|l| l.trim().is_empty()) {
        v.pop();
    }
    v
}

/// The body's text (above the footer), whitespace removed, so wrapped
/// lines and page breaks join up again.
fn body_text(pdf: &Path, page_h_pt: u32) -> String {
    let h = (page_h_pt - 84).to_string();
    let t = tool(
        "pdftotext",
        &[
            "-r",
            "72",
            "-x",
            "0",
            "-y",
            "0",
            "-W",
            "900",
            "-H",
            &h,
            pdf.to_str().expect("p"),
            "-",
        ],
    );
    squeeze(&t)
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every page renders: one PNG per page, none empty.
fn renders(pdf: &Path, n: usize, dir: &Path) {
    std::fs::create_dir_all(dir).expect("png dir");
    let prefix = dir.join(format!(
        "png-{}",
        pdf.file_stem().expect("stem").to_string_lossy()
    ));
    tool(
        "pdftoppm",
        &[
            "-r",
            "24",
            "-png",
            pdf.to_str().expect("p"),
            prefix.to_str().expect("p"),
        ],
    );
    let stem = prefix.file_name().expect("f").to_string_lossy().to_string();
    let pngs: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{stem}-"))
        })
        .collect();
    assert_eq!(pngs.len(), n, "one PNG per page");
    for p in pngs {
        assert!(
            p.metadata().expect("png").len() > 200,
            "{:?} is empty",
            p.path()
        );
    }
}

fn sha256sum(p: &Path) -> String {
    let out = tool("sha256sum", &[p.to_str().expect("p")]);
    out.split_whitespace().next().expect("hash").to_string()
}

fn sheet(b: &Built, ex: &str, out: &str, extra: &[&str]) -> (Run, PathBuf) {
    let o = b.s.path(out);
    let e = b.export(ex);
    let mut args = vec![
        "paper",
        "sheet",
        e.to_str().expect("p"),
        "--roster",
        b.roster.to_str().expect("p"),
        "--bundle",
        b.bundle.to_str().expect("p"),
        "-o",
        o.to_str().expect("p"),
    ];
    args.extend(extra);
    (b.run(&args), o)
}

#[test]
fn the_score_sheet_carries_every_application_comment_recusal_and_the_hash() {
    let b = built();
    let (r, pdf) = sheet(b, "E02", "E02-sheet.pdf", &["--lang", "zh"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let sha = sha256sum(&b.export("E02"));
    assert!(r.stdout.contains(&sha), "{}", r.stdout);
    let short = &sha[..16];
    let p: ScoresPayload = payload(&b.export("E02"));
    let pages = pages(&pdf);
    assert!(pages.len() >= 5, "{} pages", pages.len());
    let m = pages.len();
    for (i, t) in pages.iter().enumerate() {
        let t = squeeze(t);
        assert!(t.contains(short), "page {}: no hash", i + 1);
        assert!(t.contains("E02.json"), "page {}: no file name", i + 1);
        assert!(
            t.contains("专家E02（E02）"),
            "page {}: no expert's name",
            i + 1
        );
        assert!(
            t.contains(&format!("第{}页共{m}页", i + 1)),
            "page {}: {t}",
            i + 1
        );
    }
    let all = squeeze(&pages.concat());
    assert!(all.contains(&sha), "the whole hash on the first page");
    assert!(all.contains("专家签字："), "signature line");
    assert!(all.contains("签名：已按专家名册核验"), "verified mark");
    let body = body_text(&pdf, 842);
    let mut recused = 0;
    for a in &p.applications {
        assert!(body.contains(&a.id), "{} missing", a.id);
        let title = format!("第{}号网络安全试点平台", a.id[2..].trim_start_matches('0'));
        assert!(body.contains(&title), "{title} missing");
        if let Some(reason) = &a.recuse_reason {
            recused += 1;
            assert!(body.contains(&squeeze(reason)), "{}: reason missing", a.id);
        } else {
            let t = a.total.expect("scored").to_string();
            assert!(body.contains(&t), "{}: total {t} missing", a.id);
            assert!(body.contains(&squeeze(&a.comment)), "{}: comment cut", a.id);
        }
    }
    assert!(recused >= 6, "{recused} recusals");
    renders(&pdf, m, &b.s.dir.path().join("png-sheet"));
}

#[test]
fn the_summary_carries_every_application_figure_signature_line_and_the_hash() {
    let b = built();
    let pdf = b.s.path("summary.pdf");
    let r = b.run(&[
        "paper",
        "summary",
        b.merged.to_str().expect("p"),
        "-o",
        pdf.to_str().expect("p"),
        "--lang",
        "zh",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let sha = sha256sum(&b.merged);
    assert!(r.stdout.contains(&sha), "{}", r.stdout);
    let p: MergedPayload = payload(&b.merged);
    // The panel has what the summary must show.
    assert!(
        p.applications.iter().any(|a| a.tie_break.is_some()),
        "a tie"
    );
    assert!(
        p.applications.iter().any(|a| a.flags.high_disagreement),
        "disagreement"
    );
    assert!(
        p.applications.iter().any(|a| a.flags.below_quorum),
        "below quorum"
    );
    let pages = pages(&pdf);
    let m = pages.len();
    for (i, t) in pages.iter().enumerate() {
        let t = squeeze(t);
        assert!(t.contains(&sha[..16]), "page {}: no hash", i + 1);
        assert!(t.contains("merged.json"), "page {}: no file name", i + 1);
        assert!(
            t.contains(&format!("第{}页共{m}页", i + 1)),
            "page {}",
            i + 1
        );
    }
    let all = squeeze(&pages.concat());
    assert!(all.contains(&sha));
    assert!(all.contains("草稿：该汇总结果未经组长签名"), "draft mark");
    assert!(all.contains("分歧大") && all.contains("不足法定人数") && all.contains("同分"));
    assert!(all.contains("不同意见"), "room for dissent");
    for ex in EXPERTS {
        assert!(
            all.contains(&format!("专家专家{ex}（{ex}）签字")),
            "{ex}'s line"
        );
    }
    assert!(all.contains("评审方法") && all.contains("截尾均值"));
    let body = body_text(&pdf, 595);
    for a in &p.applications {
        assert!(body.contains(&a.id), "{} missing", a.id);
        if let Some(t) = &a.total {
            assert!(body.contains(&t.trimmed), "{}: {} missing", a.id, t.trimmed);
        }
    }
    renders(&pdf, m, &b.s.dir.path().join("png-summary"));
}

#[test]
fn the_same_file_prints_the_same_bytes() {
    let b = built();
    let (r1, a) = sheet(b, "E01", "a.pdf", &["--lang", "en"]);
    let (r2, c) = sheet(b, "E01", "c.pdf", &["--lang", "en"]);
    assert_eq!((r1.code, r2.code), (0, 0), "{}{}", r1.stderr, r2.stderr);
    let (x, y) = (std::fs::read(&a).expect("a"), std::fs::read(&c).expect("c"));
    assert!(x.len() > 1000);
    assert!(x == y, "two prints of one file differ");
    let text = squeeze(&pages(&a).concat());
    assert!(
        text.contains("Expertscoresheet") && text.contains("Page1of"),
        "English"
    );
    // The creation date is the file's own time.
    let info = tool("pdfinfo", &["-isodates", a.to_str().expect("p")]);
    let p: ScoresPayload = payload(&b.export("E01"));
    assert!(info.contains(&p.created[..19]), "{info}");
    let s1 = b.s.path("s1.pdf");
    let s2 = b.s.path("s2.pdf");
    for s in [&s1, &s2] {
        let r = b.run(&[
            "paper",
            "summary",
            b.merged.to_str().expect("p"),
            "-o",
            s.to_str().expect("p"),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    assert!(std::fs::read(&s1).expect("s1") == std::fs::read(&s2).expect("s2"));
}

#[test]
fn verify_prints_the_hash_sha256sum_prints() {
    let b = built();
    let e = b.export("E03");
    let r = b.run(&[
        "verify",
        e.to_str().expect("p"),
        "--roster",
        b.roster.to_str().expect("p"),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .trim_end()
            .ends_with(&format!("SHA-256 {}", sha256sum(&e))),
        "{}",
        r.stdout
    );
}

#[test]
fn bad_input_is_one_line_and_writes_nothing() {
    let b = built();
    let e = b.export("E04");
    let before = std::fs::read(&e).expect("export");
    // Never over an input.
    let r = b.run(&[
        "paper",
        "sheet",
        e.to_str().expect("p"),
        "-o",
        e.to_str().expect("p"),
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert_eq!(std::fs::read(&e).expect("export"), before);
    // A merged result is not a score sheet, and the other way round.
    let out = b.s.path("wrong.pdf");
    let r = b.run(&[
        "paper",
        "sheet",
        b.merged.to_str().expect("p"),
        "-o",
        out.to_str().expect("p"),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("not an expert's scores file"),
        "{}",
        r.stderr
    );
    let r = b.run(&[
        "paper",
        "summary",
        e.to_str().expect("p"),
        "-o",
        out.to_str().expect("p"),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a merged result"), "{}", r.stderr);
    // A font that is not one.
    let r = b.run(&[
        "paper",
        "summary",
        b.merged.to_str().expect("p"),
        "-o",
        out.to_str().expect("p"),
        "--font",
        b.roster.to_str().expect("p"),
    ]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a TrueType or OpenType font"),
        "{}",
        r.stderr
    );
    // An export that does not verify is not printed.
    let mut env = panelist::verify::parse_envelope(&String::from_utf8(before).expect("utf-8"))
        .expect("envelope");
    let mut v = env.payload_value().expect("payload");
    v["expert"]["org"] = serde_json::json!("另一单位");
    env.set_payload_value(&v).expect("jcs");
    let forged = b.s.path("forged.json");
    std::fs::write(&forged, env.to_text()).expect("write");
    let r = b.run(&[
        "paper",
        "sheet",
        forged.to_str().expect("p"),
        "--roster",
        b.roster.to_str().expect("p"),
        "-o",
        out.to_str().expect("p"),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not verify"), "{}", r.stderr);
    assert!(!out.exists(), "nothing written");
}
