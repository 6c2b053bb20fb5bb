//! Small bundles built through the library: applications with valid
//! credit codes on the shipped catalog and rubric, an expert identity, a
//! stepping clock, a claimed working copy.

use std::path::Path;

use panelist::domain::catalog::{default_rubric, shipped_catalog};
use panelist::domain::content::Content;
use panelist::domain::{Application, RosterEntry, Sections, Unit};
use panelist::store::{Bundle, Identity};
use panelist::support::clock::Clock;

/// A credit code with a valid check character built from a number.
pub fn credit(n: u32) -> String {
    let first = format!("91110108{n:09}");
    let c = panelist::domain::credit::check_char(&first).expect("17 valid characters");
    format!("{first}{c}")
}

pub fn app(i: u32, direction: u32) -> Application {
    Application {
        id: format!("T-{i:05}"),
        title: format!("第{i}号网络安全试点平台"),
        direction: Some(direction),
        direction_written: Some(direction.to_string()),
        lead_unit: Unit {
            name: format!("测试单位{i}有限公司"),
            credit_code: credit(i),
            sme: i.is_multiple_of(2),
        },
        joint_units: vec![],
        sector: "金融".into(),
        authority: format!("测试省{i}通信管理局"),
        priority: Some(1),
        province: "北京".into(),
        sections: Sections {
            overview: "概述".repeat(20),
            technology: "技术".repeat(20),
            deployment: "部署".repeat(20),
            replication: "推广".repeat(20),
        },
        previously_selected: false,
        national_funding: false,
        built: true,
    }
}

pub fn content(n: u32) -> Content {
    Content {
        catalog: shipped_catalog("2023").expect("catalog"),
        rubric: default_rubric().expect("rubric"),
        applications: (1..=n).map(|i| app(i, (i % 13) + 1)).collect(),
        roster: vec![RosterEntry {
            id: "E01".into(),
            name: "测试专家".into(),
            org: "测试研究院".into(),
            role: None,
            alg: None,
            public_key: None,
            key_id: None,
            sm2_id: None,
            previous_keys: Vec::new(),
        }],
    }
}

pub fn expert(id: &str) -> Identity {
    Identity {
        id: id.into(),
        name: format!("专家{id}"),
        org: "测试研究院".into(),
        key_id: None,
    }
}

pub fn clock() -> Clock {
    Clock::stepping("2024-03-01T09:00:00Z", 1000).expect("clock")
}

/// Builds a bundle with `n` applications at `path`, claimed by E01.
pub fn working_copy(path: &Path, n: u32) -> Bundle {
    Bundle::create(path, &content(n), "测试评审组", &clock(), false).expect("create");
    let mut b = Bundle::open_write(path).expect("open");
    b.claim(&expert("E01")).expect("claim");
    b
}

/// A fixed Ed25519 key per expert id, made in memory (its seed is the
/// SHA-256 of the id, so every test signs alike), sealed at the cheapest
/// cost for the tests that hand it to panelist.
pub fn test_key(id: &str) -> panelist::keyring::Unlocked {
    use panelist::crypto::Alg;
    use panelist::crypto::keys::{KdfCost, KeyFile, Owner, Passphrase};
    use panelist::crypto::sign::SecretKey;
    use sha2::Digest as _;
    let seed = sha2::Sha256::digest(format!("panelist test key {id}"));
    let key = SecretKey::from_bytes(Alg::Ed25519, &seed, None).expect("key");
    let file = KeyFile::seal(
        &key,
        &Owner {
            id: id.into(),
            name: format!("专家{id}"),
            org: "测试研究院".into(),
        },
        &Passphrase::new("correct horse battery staple".into()),
        KdfCost {
            m_kib: 256,
            t: 1,
            p: 1,
        },
        "2024-03-01T08:00:00.000Z",
    )
    .expect("seal");
    panelist::keyring::Unlocked {
        path: format!("{id}.key").into(),
        file,
        key,
    }
}

/// E01's test key as the store's signer.
pub fn signer() -> panelist::keyring::owner::OwnerKey<'static> {
    static KEY: std::sync::OnceLock<panelist::keyring::Unlocked> = std::sync::OnceLock::new();
    let k = KEY.get_or_init(|| test_key("E01"));
    panelist::keyring::owner::OwnerKey::new(&k.key, Vec::new())
}
