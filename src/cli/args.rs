//! Arguments shared by several commands, and the command line's mirrors of
//! the library's enums (the library knows nothing of clap; each mirror
//! converts into its library type with `From`).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::crypto::Alg;
use crate::domain::aggregate::RankRule;
use crate::import::Encoding;
use crate::support::lang::Lang;

/// Which key signs, and where its passphrase comes from.
#[derive(Args, Debug, Clone, Default)]
pub struct KeyArgs {
    /// The expert id of the key to use (default: the only key).
    #[arg(long = "key", value_name = "ID")]
    pub key: Option<String>,
    /// Read the passphrase from this file instead of the terminal (also
    /// PANELIST_PASSPHRASE_FILE).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

impl KeyArgs {
    /// Finds the key, asks for its passphrase and opens it.
    pub fn unlock(&self) -> anyhow::Result<crate::keyring::Unlocked> {
        crate::keyring::unlock(self.key.as_deref(), self.passphrase_file.as_deref())
    }
}

/// `--lang`: [`Lang`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// `--alg`: [`Alg`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgArg {
    /// Ed25519 (RFC 8032).
    Ed25519,
    /// SM2 with SM3 (GM/T 0003), for 商用密码 deployments.
    Sm2,
}

impl From<AlgArg> for Alg {
    fn from(a: AlgArg) -> Alg {
        match a {
            AlgArg::Ed25519 => Alg::Ed25519,
            AlgArg::Sm2 => Alg::Sm2,
        }
    }
}

/// `--rule`: [`RankRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RankRuleArg {
    Trimmed,
    Mean,
    Median,
}

impl From<RankRuleArg> for RankRule {
    fn from(r: RankRuleArg) -> RankRule {
        match r {
            RankRuleArg::Trimmed => RankRule::Trimmed,
            RankRuleArg::Mean => RankRule::Mean,
            RankRuleArg::Median => RankRule::Median,
        }
    }
}

/// `--encoding`: [`Encoding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    Auto,
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    #[value(alias = "gbk")]
    Gb18030,
}

impl From<EncodingArg> for Encoding {
    fn from(e: EncodingArg) -> Encoding {
        match e {
            EncodingArg::Auto => Encoding::Auto,
            EncodingArg::Utf8 => Encoding::Utf8,
            EncodingArg::Gb18030 => Encoding::Gb18030,
        }
    }
}

/// `--recommend yes|no`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum YesNo {
    Yes,
    No,
}

impl From<YesNo> for bool {
    fn from(y: YesNo) -> bool {
        y == YesNo::Yes
    }
}
