//! A fixed panel for the screen tests: its own catalog, rubric,
//! applications and roster (independent of the shipped assets, so the
//! snapshots change only when the screens do), and a score sheet in every
//! state.

use std::path::Path;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use panelist::crypto::Alg;
use panelist::crypto::keys::{KdfCost, KeyFile, Owner, Passphrase};
use panelist::crypto::sign::SecretKey;
use panelist::domain::catalog::{Band, Criterion, Direction};
use panelist::domain::content::Content;
use panelist::domain::history::Change;
use panelist::domain::{Application, Catalog, RosterEntry, Rubric, Sections, Unit};
use panelist::keyring::Unlocked;
use panelist::keyring::owner::OwnerKey;
use panelist::keyring::{KeyInfo, KeyListing};
use panelist::store::{Bundle, Identity};
use panelist::support::clock::Clock;
use panelist::support::lang::Lang;
use panelist::tui::action::Action;
use panelist::tui::config::Settings;
use panelist::tui::expert::Effect;
use panelist::tui::expert::{App, Session, Signing, WorkingCopy, run_effect};

pub const DIRECTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "基础网络安全",
        "Basic network security",
        "基础网络",
        "Network",
    ),
    ("云计算安全", "Cloud computing security", "云计算", "Cloud"),
    ("人工智能安全", "AI security", "人工智能", "AI"),
    ("大数据安全", "Big data security", "大数据", "Big data"),
    ("信创安全", "Xinchuang security", "信创", "Xinchuang"),
    ("商用密码", "Commercial cryptography", "商用密码", "Crypto"),
    (
        "车联网安全",
        "Connected-vehicle security",
        "车联网",
        "Vehicles",
    ),
    ("物联网安全", "IoT security", "物联网", "IoT"),
    (
        "中小企业数字化转型安全",
        "SME digital-transformation security",
        "中小企业",
        "SME",
    ),
    (
        "网络安全共性技术",
        "Common cybersecurity technology",
        "共性技术",
        "Common",
    ),
    (
        "网络安全创新服务",
        "Innovative cybersecurity services",
        "创新服务",
        "Services",
    ),
    (
        "教育技术产业融合发展联合体",
        "Education–technology–industry consortium",
        "产教融合",
        "Education",
    ),
    (
        "网络安全“高精尖”创新平台",
        "\"High-end\" cybersecurity innovation platform",
        "高精尖",
        "High-end",
    ),
];

pub fn catalog() -> Catalog {
    let cat = |code: u32| match code {
        1..=6 => (
            "新型信息基础设施安全类",
            "New information infrastructure security",
        ),
        7..=9 => (
            "数字化应用场景安全类",
            "Digital application scenario security",
        ),
        _ => ("安全基础能力提升类", "Foundational security capability"),
    };
    Catalog {
        call: "2023".into(),
        notice: "工信厅联网安函〔2023〕360号".into(),
        title_zh: "2023年网络安全技术应用试点示范".into(),
        title_en: "2023 Cybersecurity Pilot Demonstration".into(),
        high_end_direction: Some(13),
        max_per_authority: 5,
        max_high_end_per_authority: 2,
        sources: Default::default(),
        directions: DIRECTIONS
            .iter()
            .enumerate()
            .map(|(i, (zh, en, szh, sen))| {
                let code = i as u32 + 1;
                Direction {
                    code,
                    category_zh: cat(code).0.into(),
                    category_en: cat(code).1.into(),
                    name_zh: (*zh).into(),
                    name_en: (*en).into(),
                    short_zh: (*szh).into(),
                    short_en: (*sen).into(),
                    scope_zh: format!(
                        "面向{zh}领域，遴选技术先进、应用成效显著、具备推广价值的安全解决方案。"
                    ),
                    scope_en: format!(
                        "Security solutions for {en} that are advanced, deployed with measurable effect, and replicable."
                    ),
                }
            })
            .collect(),
    }
}

pub fn rubric() -> Rubric {
    let crit = |key: &str, zh: &str, en: &str| Criterion {
        key: key.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        min: 0,
        max: 25,
        step: 1,
        weight: 1,
        guidance_zh: format!("评价项目的{zh}。"),
        guidance_en: format!("Judge the project's {}.", en.to_lowercase()),
        bands: [
            ("优秀", "Excellent", 21, 25),
            ("良好", "Good", 16, 20),
            ("一般", "Fair", 11, 15),
            ("较差", "Poor", 0, 10),
        ]
        .iter()
        .map(|(bz, be, lo, hi)| Band {
            name_zh: (*bz).into(),
            name_en: (*be).into(),
            min: *lo,
            max: *hi,
            guidance_zh: format!("{zh}{bz}。"),
            guidance_en: format!("{en}: {}.", be.to_lowercase()),
        })
        .collect(),
    };
    Rubric {
        name_zh: "测试细则".into(),
        name_en: "Test rubric".into(),
        min_comment_chars: 30,
        criteria: vec![
            crit("innovation", "创新性", "Innovation"),
            crit("advancement", "先进性", "Advancement"),
            crit("practicality", "实用性", "Practicality"),
            crit("replicability", "可推广性", "Replicability"),
        ],
    }
}

fn unit(name: &str, code: &str, sme: bool) -> Unit {
    Unit {
        name: name.into(),
        credit_code: code.into(),
        sme,
    }
}

/// Title, direction, lead unit, joint units.
const APPS: &[(&str, u32, &str, &[&str])] = &[
    (
        "面向金融行业的数据安全治理平台",
        4,
        "星河数安（北京）科技有限公司",
        &["北方银行股份有限公司"],
    ),
    (
        "运营商骨干网DDoS攻击监测与处置系统",
        1,
        "东方通信网络技术有限公司",
        &[],
    ),
    (
        "政务云多租户安全隔离与审计平台",
        2,
        "云岭政务云科技有限公司",
        &["西部大学"],
    ),
    (
        "大模型内容安全检测与防护系统",
        3,
        "智源启航人工智能有限公司",
        &[],
    ),
    (
        "工业控制系统商用密码应用改造项目",
        6,
        "华信安全技术研究院有限公司",
        &[],
    ),
    (
        "智能网联汽车远程升级安全防护平台",
        7,
        "长风汽车电子有限公司",
        &["华信安全技术研究院有限公司"],
    ),
    (
        "城市物联网终端安全接入管理系统",
        8,
        "蓝海物联科技股份有限公司",
        &[],
    ),
    (
        "中小企业数字化转型一站式安全服务平台",
        9,
        "小安云服务有限公司",
        &[],
    ),
    (
        "基于零信任架构的远程办公安全平台",
        10,
        "零域安全科技有限公司",
        &["南方电网数字科技有限公司"],
    ),
    (
        "网络安全漏洞众测与运营服务平台",
        11,
        "白帽汇信息技术有限公司",
        &[],
    ),
    (
        "网络安全人才实训与攻防演练基地",
        12,
        "东湖网络安全学院",
        &["江城信息技术有限公司", "东湖实训科技有限公司"],
    ),
    ("国产化信创终端安全管控系统", 5, "麒麟安全软件有限公司", &[]),
    (
        "网络安全威胁情报共享与分析创新平台",
        13,
        "天穹威胁情报研究院有限公司",
        &[],
    ),
    (
        "Cloud-native workload protection platform",
        2,
        "Acme Cyber Technology Co., Ltd.",
        &[],
    ),
    (
        "医疗健康数据分类分级与脱敏系统",
        4,
        "仁心医疗数据科技有限公司",
        &[],
    ),
    ("电力物联网边缘安全网关", 8, "国网智联电力科技有限公司", &[]),
    (
        "恶意\u{1b}[31m标题\u{202E}反转\u{7}",
        1,
        "暗影\u{1b}]0;pwned\u{7}科技有限公司",
        &[],
    ),
    (
        "车载以太网入侵检测系统",
        7,
        "星河数安（北京）科技有限公司",
        &[],
    ),
];

pub fn applications() -> Vec<Application> {
    APPS.iter()
        .enumerate()
        .map(|(i, (title, dir, lead, joint))| {
            let n = i as u32 + 1;
            let hostile = title.contains('\u{1b}');
            let overview = if hostile {
                "正文含有终端控制序列：\u{1b}[2J清屏\u{1b}]52;c;cGF3bmVk\u{7}剪贴板，\u{202E}双向覆盖\u{202C}，\u{200B}零宽字符，\u{9b}31m八位CSI。".to_string()
            } else {
                format!(
                    "{title}由{lead}牵头建设，已在多个地区和行业部署运行，覆盖用户逾{}万。项目针对当前面临的主要安全风险，构建了监测、预警、处置一体化的技术体系。",
                    n * 3
                )
            };
            Application {
                id: format!("2023-T-{n:03}"),
                title: (*title).into(),
                direction: Some(*dir),
                direction_written: None,
                lead_unit: unit(lead, &format!("9111010800000{n:04}X"), n.is_multiple_of(3)),
                joint_units: joint
                    .iter()
                    .enumerate()
                    .map(|(k, j)| unit(j, &format!("9131000000000{n:02}{k:02}Y"), false))
                    .collect(),
                sector: ["金融", "电信", "能源", "交通", "政务", "医疗"][i % 6].into(),
                authority: format!("{}通信管理局", ["北京市", "上海市", "广东省", "浙江省"][i % 4]),
                priority: Some((i % 5) as u32 + 1),
                province: ["北京", "上海", "广东", "浙江"][i % 4].into(),
                sections: Sections {
                    overview,
                    technology: "采用自主研发的安全检测引擎与多源数据融合分析技术，支持国密算法SM2/SM3/SM4，具备高并发、低时延的处理能力。Supports SM2/SM3/SM4 and high-throughput analysis.".into(),
                    deployment: "已在省级政务云、运营商骨干网等场景部署，累计处置安全事件三千余起，平均响应时间缩短至五分钟以内。".into(),
                    replication: "方案采用模块化设计，可快速复制到能源、交通、医疗等行业，已形成标准化交付流程。".into(),
                },
                previously_selected: false,
                national_funding: false,
                built: true,
            }
        })
        .collect()
}

pub fn roster() -> Vec<RosterEntry> {
    [
        ("E01", "王志远", "华信安全研究院"),
        ("E02", "李晓梅", "北方网络安全测评中心"),
        ("E03", "Zhang Wei", "Eastern University"),
    ]
    .iter()
    .map(|(id, name, org)| RosterEntry {
        id: (*id).into(),
        name: (*name).into(),
        org: (*org).into(),
        role: None,
        alg: None,
        public_key: None,
        key_id: None,
        sm2_id: None,
        previous_keys: Vec::new(),
    })
    .collect()
}

pub fn content() -> Content {
    Content {
        catalog: catalog(),
        rubric: rubric(),
        applications: applications(),
        roster: roster(),
    }
}

pub fn clock() -> Clock {
    Clock::stepping("2024-03-01T09:00:00Z", 1000).expect("clock")
}

pub fn identity(id: &str) -> Identity {
    let e = roster()
        .into_iter()
        .find(|e| e.id == id)
        .expect("on roster");
    Identity {
        id: e.id,
        name: e.name,
        org: e.org,
        key_id: None,
    }
}

pub const COMMENT: &str =
    "项目技术路线清晰，部署规模较大，成效可量化，具备在其他行业推广的条件，建议推荐。";

/// The fixture bundle at `path`, unclaimed.
pub fn template(path: &Path) {
    Bundle::create(path, &content(), "第三评审组", &clock(), false).expect("create");
}

/// The passphrase of the fixture's keys.
pub const PASS: &str = "fixture passphrase";

/// Expert `id`'s key, the same on every run (its secret is made from the
/// id), sealed with [`PASS`] at the cheapest cost, unlocked.
pub fn test_key(id: &str) -> Unlocked {
    let mut secret = [0x5au8; 32];
    for (i, b) in id.bytes().enumerate() {
        secret[i % 32] ^= b;
    }
    let key = SecretKey::from_bytes(Alg::Ed25519, &secret, None).expect("key");
    let e = roster()
        .into_iter()
        .find(|e| e.id == id)
        .expect("on roster");
    let owner = Owner {
        id: e.id,
        name: e.name,
        org: e.org,
    };
    let file = KeyFile::seal(
        &key,
        &owner,
        &Passphrase::new(PASS.into()),
        KdfCost {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        "2024-03-01T08:00:00.000Z",
    )
    .expect("seal");
    Unlocked {
        path: format!("{id}.key").into(),
        file,
        key,
    }
}

/// Records `changes` in `path` as E01, each event signed with E01's
/// [`test_key`].
pub fn append_as_e01(path: &Path, changes: Vec<Change>, clock: &Clock) {
    let mut b = Bundle::open_write(path).expect("open");
    let key = test_key("E01");
    b.append_all(changes, clock, &OwnerKey::new(&key.key, Vec::new()))
        .expect("append");
}

/// The fixture bundle claimed by E01 with one application complete
/// (2023-T-002), one draft (2023-T-003) and one recused (2023-T-004),
/// every event signed with E01's [`test_key`]. The claim names no key id
/// (the screens' snapshots show the fixture's [`key_listing`]).
pub fn scored(path: &Path) {
    template(path);
    let mut b = Bundle::open_write(path).expect("open");
    b.claim(&identity("E01")).expect("claim");
    drop(b);
    let score = |app: &str, k: &str, v: i64| Change::Score {
        app: app.into(),
        criterion: k.into(),
        value: Some(v),
    };
    let mut changes: Vec<Change> = [
        ("innovation", 22),
        ("advancement", 19),
        ("practicality", 23),
        ("replicability", 17),
    ]
    .iter()
    .map(|(k, v)| score("2023-T-002", k, *v))
    .collect();
    changes.extend([
        Change::Comment {
            app: "2023-T-002".into(),
            text: COMMENT.into(),
        },
        Change::Recommend {
            app: "2023-T-002".into(),
            value: Some(true),
        },
        score("2023-T-003", "innovation", 12),
        score("2023-T-003", "advancement", 9),
        Change::Recuse {
            app: "2023-T-004".into(),
            reason: "本人曾参与该项目的可行性论证".into(),
        },
    ]);
    // One transaction per change, as the screens record them.
    let c = clock();
    for change in changes {
        append_as_e01(path, vec![change], &c);
    }
}

/// Points PANELIST_HOME at a folder of this test binary's own, once, so
/// that signing sessions (their keys folder, their notes of signed heads)
/// never touch the real data directory.
pub fn isolated_home() -> &'static Path {
    static HOME: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    HOME.get_or_init(|| {
        let d = tempfile::tempdir().expect("home");
        // SAFETY: set once, before any signing session of this binary
        // reads it; the tests that read the environment all come here
        // first, and the lock above makes them wait until it is set.
        unsafe {
            std::env::set_var("PANELIST_HOME", d.path());
            std::env::set_var("PANELIST_KDF_PARAMS", "m=256,t=1,p=1");
        }
        d
    })
    .path()
}

/// The working copy at `path` opened for writing as the loop opens it,
/// signed in with E01's [`test_key`] (the result reported to `app`).
pub fn signed_copy(path: &Path, app: &mut App) -> WorkingCopy {
    isolated_home();
    let mut copy = WorkingCopy::new(Bundle::open_write(path).expect("open"));
    copy.sign_in(test_key("E01"), app);
    copy
}

/// The screens' settings in `lang`, showing times at UTC+08:00 whatever
/// the machine's zone.
pub fn settings(lang: Lang) -> Settings {
    Settings {
        lang,
        zone: jiff::tz::TimeZone::fixed(jiff::tz::offset(8)),
        ..Settings::default()
    }
}

/// An app on the bundle at `path`, sized `w`×`h`, as it is once the
/// owner's key is unlocked (nothing is written through it: see
/// [`signed_copy`] for that).
pub fn app_for(path: &Path, lang: Lang, w: u16, h: u16) -> App {
    let b = Bundle::open_read(path).expect("open");
    let mut app = App::new(Session::load(&b).expect("load"), settings(lang));
    *app.signing_mut() = Signing::Unlocked;
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    app
}

pub fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Feeds events to the app without a store: the effects are returned.
pub fn feed(app: &mut App, events: impl IntoIterator<Item = Event>) -> Vec<Effect> {
    events.into_iter().flat_map(|e| app.on_event(e)).collect()
}

/// Types a string into whatever has the keyboard.
pub fn typed(s: &str) -> Vec<Event> {
    s.chars().map(key).collect()
}

/// Feeds events and runs every effect against `copy`, as the loop does.
/// Returns false once an effect asked to quit.
pub fn drive(
    app: &mut App,
    copy: &mut WorkingCopy,
    clock: &Clock,
    events: impl IntoIterator<Item = Event>,
) -> bool {
    for e in events {
        for eff in app.on_event(e) {
            if !run_effect(copy, clock, app, eff) {
                return false;
            }
        }
    }
    true
}

/// A fixed key id for the fixture's keys (not a real key: the screens
/// only show it).
pub const KEY_ID: &str = "5f1c0a9e7b3d2468ace013579bdf2468ace013579bdf02468ace13579bdf0246";

/// The public part of expert `id`'s key file, as the loop would read it.
pub fn key_listing(id: &str) -> KeyListing {
    let e = roster()
        .into_iter()
        .find(|e| e.id == id)
        .expect("on roster");
    KeyListing {
        path: format!("/home/expert/.local/share/panelist/keys/{id}.key").into(),
        id: id.into(),
        public: Ok(KeyInfo {
            id: e.id,
            name: e.name,
            org: e.org,
            alg: "ed25519".into(),
            key_id: KEY_ID.into(),
        }),
    }
}

/// Like [`app_for`], with the data directory's key files.
pub fn app_with_keys(path: &Path, lang: Lang, w: u16, h: u16, keys: Vec<KeyListing>) -> App {
    let b = Bundle::open_read(path).expect("open");
    let session = Session::load(&b).expect("load").with_keys(keys);
    let mut app = App::new(session, settings(lang));
    *app.signing_mut() = Signing::Unlocked;
    app.update(Action::Resize {
        width: w,
        height: h,
    });
    app
}

/// The scored fixture and seven more changes five minutes later: a score
/// changed (22 → 20), a comment with a line break and an escape, the
/// recommendation turned, the recusal withdrawn and the application
/// scored, a score cleared, a first score elsewhere. 16 events.
pub fn replayed(path: &Path) {
    scored(path);
    let c = Clock::stepping("2024-03-01T09:05:00Z", 1000).expect("clock");
    let score = |app: &str, k: &str, v: Option<i64>| Change::Score {
        app: app.into(),
        criterion: k.into(),
        value: v,
    };
    for change in [
        score("2023-T-002", "innovation", Some(20)),
        Change::Comment {
            app: "2023-T-003".into(),
            text: "初步意见：\n技术\u{1b}[31m可行".into(),
        },
        Change::Recommend {
            app: "2023-T-002".into(),
            value: Some(false),
        },
        Change::Unrecuse {
            app: "2023-T-004".into(),
            reason: "经核实无利益关系".into(),
        },
        score("2023-T-004", "practicality", Some(15)),
        score("2023-T-003", "advancement", None),
        score("2023-T-001", "innovation", Some(18)),
    ] {
        append_as_e01(path, vec![change], &c);
    }
}
