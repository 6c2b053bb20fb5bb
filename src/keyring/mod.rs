//! The expert's keys on disk: `keys/ID.key` under the data directory
//! (`PANELIST_HOME/data/keys` when set), each file mode 0600 in a 0700
//! folder, and the passphrase that opens them — from `--passphrase-file`,
//! `PANELIST_PASSPHRASE_FILE`, or a prompt on the terminal without echo.
//!
//! What a key file holds and how it is sealed is `crypto::keys`'; this
//! module only finds, reads and writes the files.

pub mod heads;
pub mod owner;
pub mod session;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::crypto::keys::{KdfCost, KeyError, KeyFile, Passphrase};
use crate::crypto::short_id;
use crate::crypto::sign::SecretKey;
use crate::domain::application::valid_expert_id;
use crate::store::Identity;

/// Environment variable naming a passphrase file (for scripts and tests).
pub const PASSPHRASE_FILE_ENV: &str = "PANELIST_PASSPHRASE_FILE";
/// Environment variable overriding the KDF cost of new keys, `m=KIB,t=N,p=N`
/// (tests lower it; every key file records its own cost).
pub const KDF_PARAMS_ENV: &str = "PANELIST_KDF_PARAMS";

const KEY_EXT: &str = "key";

/// The keys folder, created (0700) if missing.
pub fn keys_dir() -> Result<PathBuf> {
    let d = crate::support::paths::data_dir()?.join("keys");
    if !d.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&d)
            .with_context(|| format!("cannot create {}", d.display()))?;
    }
    Ok(d)
}

/// Where the key of expert `id` lives.
pub fn key_path(id: &str) -> Result<PathBuf> {
    if !valid_expert_id(id) {
        bail!("expert id {id:?} must be 1-32 letters, digits, '-' or '_'");
    }
    Ok(keys_dir()?.join(format!("{id}.{KEY_EXT}")))
}

/// Every key file in the keys folder, sorted by name.
pub fn list() -> Result<Vec<PathBuf>> {
    let d = keys_dir()?;
    let mut out = Vec::new();
    for e in std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))? {
        let p = e
            .with_context(|| format!("cannot read {}", d.display()))?
            .path();
        if p.extension().is_some_and(|x| x == KEY_EXT) && p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// The key file of `id`, or the only key when no id is given.
pub fn find(id: Option<&str>) -> Result<PathBuf> {
    if let Some(id) = id {
        let p = key_path(id)?;
        if !p.exists() {
            bail!(crate::tr!(
                format!(
                    "{}：没有 {id} 的密钥（先建立：panelist key new --id {id} ...）",
                    p.display()
                ),
                format!(
                    "{}: no key for {id} (make one with: panelist key new --id {id} ...)",
                    p.display()
                )
            ));
        }
        return Ok(p);
    }
    let all = list()?;
    match all.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!(crate::tr!(
            format!(
                "{}：还没有密钥（先建立：panelist key new --id ID --name 姓名 --org 单位）",
                keys_dir()?.display()
            ),
            format!(
                "{}: no key yet (make one with: panelist key new --id ID --name NAME --org ORG)",
                keys_dir()?.display()
            )
        )),
        many => {
            let ids: Vec<String> = many
                .iter()
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect();
            bail!(crate::tr!(
                format!(
                    "{}：有 {} 把密钥（{}）；请用 --key ID 选择",
                    keys_dir()?.display(),
                    many.len(),
                    ids.join(", ")
                ),
                format!(
                    "{}: {} keys ({}); choose one with --key ID",
                    keys_dir()?.display(),
                    many.len(),
                    ids.join(", ")
                )
            ))
        }
    }
}

/// The public part of a key file: who it belongs to and which key it is.
/// Read without the passphrase (the terminal interface shows it in the
/// header, offers it as an identity and names it in the export dialog).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: String,
    pub name: String,
    pub org: String,
    pub alg: String,
    /// Hex SHA-256 of the public key.
    pub key_id: String,
}

impl KeyInfo {
    pub fn of(file: &KeyFile) -> KeyInfo {
        KeyInfo {
            id: file.id.clone(),
            name: file.name.clone(),
            org: file.org.clone(),
            alg: file.alg.clone(),
            key_id: file.key_id.clone(),
        }
    }

    /// The first 16 hex digits of the key id.
    pub fn short_id(&self) -> &str {
        short_id(&self.key_id)
    }

    /// The identity a working copy is claimed with using this key.
    pub fn identity(&self) -> Identity {
        Identity {
            id: self.id.clone(),
            name: self.name.clone(),
            org: self.org.clone(),
            key_id: Some(self.key_id.clone()),
        }
    }
}

/// One file of the keys folder: its expert id (from the file name) and
/// its public part, or why it cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyListing {
    pub path: PathBuf,
    pub id: String,
    pub public: std::result::Result<KeyInfo, String>,
}

/// Every key file of the keys folder with its public part, sorted by name.
/// A file that cannot be read or checked is listed with the reason.
pub fn public_keys() -> Result<Vec<KeyListing>> {
    Ok(list()?
        .into_iter()
        .map(|path| {
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let public = load(&path)
                .map(|f| KeyInfo::of(&f))
                .map_err(|e| format!("{e:#}"));
            KeyListing { path, id, public }
        })
        .collect())
}

/// Refuses a key file that group or others may read or write.
fn check_mode(path: &Path, md: &std::fs::Metadata) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = md.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "{}: key file is accessible by group or others (mode {mode:04o}); run: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, md);
    Ok(())
}

/// Reads and checks a key file (mode, format, public key).
pub fn load(path: &Path) -> Result<KeyFile> {
    let p = path.display();
    let f = std::fs::File::open(path)
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::support::fs::io_msg(&e)))?;
    let md = f
        .metadata()
        .map_err(|e| anyhow!("{p}: cannot read: {}", crate::support::fs::io_msg(&e)))?;
    if !md.is_file() {
        bail!("{p}: not a file");
    }
    check_mode(path, &md)?;
    let bytes = crate::support::fs::read_open(f, path, &crate::support::fs::limits::KEY)?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        anyhow!(
            "{p}: not a panelist key file: not UTF-8 (byte {})",
            e.valid_up_to()
        )
    })?;
    KeyFile::parse(text).map_err(|e| anyhow!("{p}: {e}"))
}

/// Writes a new key file (0600). An existing one is kept unless `force`.
pub fn save_new(file: &KeyFile, force: bool) -> Result<PathBuf> {
    let path = key_path(&file.id)?;
    if path.exists() && !force {
        bail!(crate::tr!(
            format!(
                "{}：{} 的密钥已存在（要替换请加 --force；替换后旧密钥不能再签名）",
                path.display(),
                file.id
            ),
            format!(
                "{}: a key for {} already exists (use --force to replace it; the old key can then no longer sign)",
                path.display(),
                file.id
            )
        ));
    }
    crate::support::fs::write_atomic_mode(&path, file.to_text().as_bytes(), Some(0o600))?;
    Ok(path)
}

/// The KDF cost for new keys: the default, or `PANELIST_KDF_PARAMS`.
pub fn kdf_cost() -> Result<KdfCost> {
    match std::env::var(KDF_PARAMS_ENV) {
        Ok(s) if !s.trim().is_empty() => {
            KdfCost::parse(&s).map_err(|m| anyhow!("{KDF_PARAMS_ENV}: {m}"))
        }
        _ => Ok(KdfCost::DEFAULT),
    }
}

/// The passphrase file a command reads: `file`, else the file named by
/// `PANELIST_PASSPHRASE_FILE` (none: the terminal).
pub fn passphrase_path(file: Option<&Path>) -> Option<PathBuf> {
    file.map(Path::to_path_buf).or_else(|| {
        std::env::var_os(PASSPHRASE_FILE_ENV)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
    })
}

/// Reads a passphrase: from `file`, else from the file named by
/// `PANELIST_PASSPHRASE_FILE`, else from the terminal without echo (asked
/// twice when `confirm`). A file's single trailing newline is dropped.
pub fn read_passphrase(file: Option<&Path>, prompt: &str, confirm: bool) -> Result<Passphrase> {
    if let Some(f) = passphrase_path(file) {
        return read_passphrase_file(&f);
    }
    let no_tty = |e: std::io::Error| {
        anyhow!(crate::tr!(
            format!(
                "无法从终端读取口令（{}）；请用 --passphrase-file 文件 或 {PASSPHRASE_FILE_ENV}",
                e.kind()
            ),
            format!(
                "cannot read a passphrase from the terminal ({}); use --passphrase-file FILE or {PASSPHRASE_FILE_ENV}",
                e.kind()
            )
        ))
    };
    let first = Passphrase::new(rpassword::prompt_password(prompt).map_err(no_tty)?);
    if confirm {
        let again = Passphrase::new(
            rpassword::prompt_password(crate::tr!("再输入一次口令：", "Repeat passphrase: "))
                .map_err(no_tty)?,
        );
        if !first.same_as(&again) {
            bail!(crate::tr!(
                "两次输入的口令不一致",
                "the two passphrases differ"
            ));
        }
    }
    Ok(first)
}

fn read_passphrase_file(path: &Path) -> Result<Passphrase> {
    let p = path.display();
    let bytes = zeroize::Zeroizing::new(
        crate::support::fs::read_kind(path, &crate::support::fs::limits::PASSPHRASE).context(
            crate::tr!("无法使用口令文件", "cannot use the passphrase file"),
        )?,
    );
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        anyhow!(crate::tr!(
            format!("{p}：口令文件不是 UTF-8 文本"),
            format!("{p}: passphrase file is not UTF-8")
        ))
    })?;
    let text = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(text);
    if text.is_empty() {
        bail!(crate::tr!(
            format!("{p}：口令文件是空的"),
            format!("{p}: passphrase file is empty")
        ));
    }
    Ok(Passphrase::new(text.to_string()))
}

/// A key opened with its passphrase: whoever holds this is signed in as
/// the key's expert.
#[derive(Debug)]
pub struct Unlocked {
    pub path: PathBuf,
    pub file: KeyFile,
    pub key: SecretKey,
}

impl Unlocked {
    /// The expert identity a working copy is claimed with.
    pub fn identity(&self) -> Identity {
        Identity {
            id: self.file.id.clone(),
            name: self.file.name.clone(),
            org: self.file.org.clone(),
            key_id: Some(self.file.key_id.clone()),
        }
    }

    pub fn key_id(&self) -> &str {
        &self.file.key_id
    }
}

/// The question for a key's passphrase, in the run's language.
fn passphrase_prompt(file: &KeyFile) -> String {
    crate::tr!(
        format!(
            "请输入 {} 的密钥口令（{}，{}）：",
            file.id,
            file.alg,
            short_id(&file.key_id)
        ),
        format!(
            "Passphrase for key {} ({}, {}): ",
            file.id,
            file.alg,
            short_id(&file.key_id)
        )
    )
}

/// Finds the key (`id`, or the only one), asks for its passphrase and opens it.
pub fn unlock(id: Option<&str>, passphrase_file: Option<&Path>) -> Result<Unlocked> {
    let path = find(id)?;
    let file = load(&path)?;
    let prompt = passphrase_prompt(&file);
    let pass = read_passphrase(passphrase_file, &prompt, false)?;
    open(path, file, &pass)
}

/// Opens the key file at `path` (anywhere, e.g. the chair's key on a USB
/// stick), asking for its passphrase as [`unlock`] does.
pub fn unlock_file(path: &Path, passphrase_file: Option<&Path>) -> Result<Unlocked> {
    let file = load(path)?;
    let prompt = passphrase_prompt(&file);
    let pass = read_passphrase(passphrase_file, &prompt, false)?;
    open(path.to_path_buf(), file, &pass)
}

/// Opens the key (`id`, or the only one) with a passphrase the caller
/// already has — the terminal interface's passphrase dialog.
pub fn unlock_with(id: Option<&str>, pass: &Passphrase) -> Result<Unlocked> {
    let path = find(id)?;
    let file = load(&path)?;
    open(path, file, pass)
}

/// The passphrase does not open the key: a type of its own, so that the
/// terminal interface can ask again rather than report a broken key.
#[derive(Debug)]
pub struct WrongPassphrase {
    pub path: String,
    pub id: String,
}

impl std::fmt::Display for WrongPassphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (path, id) = (&self.path, &self.id);
        f.write_str(&crate::tr!(
            format!("{path}：口令不对，打不开 {id} 的密钥（或密钥文件被改动过）"),
            format!("{path}: wrong passphrase for key {id} (or the key file was altered)")
        ))
    }
}

impl std::error::Error for WrongPassphrase {}

fn open(path: PathBuf, file: KeyFile, pass: &Passphrase) -> Result<Unlocked> {
    let key = file.unseal(pass).map_err(|e| match e {
        KeyError::WrongPassphrase => anyhow::Error::new(WrongPassphrase {
            path: path.display().to_string(),
            id: file.id.clone(),
        }),
        other => anyhow!("{}: {other}", path.display()),
    })?;
    Ok(Unlocked { path, file, key })
}

/// What a new key is made of.
#[derive(Debug, Clone, Copy)]
pub struct NewKey<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub org: &'a str,
    pub alg: crate::crypto::Alg,
    /// SM2 distinguishing ID (only for SM2).
    pub sm2_id: Option<&'a str>,
    pub passphrase_file: Option<&'a Path>,
    /// Replace an existing key of this expert.
    pub force: bool,
}

/// A key just made and saved.
#[derive(Debug)]
pub struct Created {
    pub path: PathBuf,
    pub file: KeyFile,
    /// The KDF cost it was sealed with.
    pub cost: KdfCost,
}

/// Makes a key, asks for its passphrase (twice) and saves it sealed.
pub fn create(req: &NewKey<'_>, clock: &crate::support::clock::Clock) -> Result<Created> {
    check_new(req)?;
    let pass = read_passphrase(
        req.passphrase_file,
        &crate::tr!(
            format!("为 {} 的新密钥设定口令：", req.id),
            format!("New passphrase for key {}: ", req.id)
        ),
        true,
    )?;
    make(req, &pass, clock).map(|(made, _)| made)
}

/// Makes a key sealed under `pass` (typed into the terminal interface),
/// saves it and keeps it open: the screens carry on signed in.
pub fn create_unlocked(
    req: &NewKey<'_>,
    pass: &Passphrase,
    clock: &crate::support::clock::Clock,
) -> Result<(Created, Unlocked)> {
    check_new(req)?;
    let (made, key) = make(req, pass, clock)?;
    let open = Unlocked {
        path: made.path.clone(),
        file: made.file.clone(),
        key,
    };
    Ok((made, open))
}

fn check_new(req: &NewKey<'_>) -> Result<()> {
    let id = req.id;
    if !valid_expert_id(id) {
        bail!(crate::tr!(
            format!("--id {id:?}：编号须为 1-32 个字母、数字、'-' 或 '_'"),
            format!("--id {id:?}: an id is 1-32 letters, digits, '-' or '_'")
        ));
    }
    if req.name.trim().is_empty() {
        bail!(crate::tr!("--name：为空", "--name: empty"));
    }
    if req.sm2_id.is_some() && req.alg != crate::crypto::Alg::Sm2 {
        bail!(crate::tr!(
            "--sm2-id 只用于 --alg sm2",
            "--sm2-id is only for --alg sm2"
        ));
    }
    let path = key_path(id)?;
    if path.exists() && !req.force {
        bail!(crate::tr!(
            format!(
                "{}：{id} 的密钥已存在（要替换请加 --force；替换后旧密钥不能再签名）",
                path.display()
            ),
            format!(
                "{}: a key for {id} already exists (use --force to replace it; the old key can then no longer sign)",
                path.display()
            )
        ));
    }
    kdf_cost()?;
    Ok(())
}

fn make(
    req: &NewKey<'_>,
    pass: &Passphrase,
    clock: &crate::support::clock::Clock,
) -> Result<(Created, SecretKey)> {
    use crate::crypto::keys::Owner;
    let id = req.id;
    let cost = kdf_cost()?;
    let key = SecretKey::generate(req.alg, req.sm2_id).map_err(|e| anyhow!("{e}"))?;
    let owner = Owner {
        id: id.to_string(),
        name: req.name.trim().to_string(),
        org: req.org.trim().to_string(),
    };
    let file =
        KeyFile::seal(&key, &owner, pass, cost, &clock.stamp()).map_err(|e| anyhow!("{e}"))?;
    let path = save_new(&file, req.force)?;
    Ok((Created { path, file, cost }, key))
}

/// Opens the chair's key: a key file path, else an id in the key folder.
/// The key file `spec` names: a key file, or an id in the key folder.
pub fn spec_path(spec: &str) -> Result<PathBuf> {
    let p = Path::new(spec);
    if p.is_file() {
        Ok(p.to_path_buf())
    } else {
        find(Some(spec))
    }
}

pub fn unlock_spec(spec: &str, passphrase_file: Option<&Path>) -> Result<Unlocked> {
    let p = Path::new(spec);
    if p.is_file() {
        unlock_file(p, passphrase_file)
    } else {
        unlock(Some(spec), passphrase_file)
    }
}

fn previous_path(id: &str) -> Result<PathBuf> {
    Ok(key_path(id)?.with_extension("previous.json"))
}

/// The previous keys this expert adopted (`panelist key adopt`) for the
/// key `current`: the keys whose events stay this expert's.
pub fn previous_keys(id: &str, current: &str) -> Result<Vec<crate::crypto::sign::VerifyKey>> {
    let path = previous_path(id)?;
    if !path.exists() {
        return Ok(Vec::new());
    }
    let bytes = crate::support::fs::read_kind(&path, &crate::support::fs::limits::KEY)?;
    let note: PreviousNote = crate::support::jsonio::from_str_strict(
        std::str::from_utf8(&bytes).map_err(|_| anyhow!("{}: not UTF-8", path.display()))?,
    )
    .with_context(|| format!("{}", path.display()))?;
    if note.key_id != current {
        return Ok(Vec::new());
    }
    note.previous
        .iter()
        .map(|p| {
            crate::crypto::sign::VerifyKey::from_previous(id, p)
                .map_err(|m| anyhow!("{}: {m}", path.display()))
        })
        .collect()
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PreviousNote {
    /// The key these previous keys were adopted for.
    key_id: String,
    previous: Vec<crate::domain::PreviousKey>,
}

/// Adopts the previous keys the chair's roster lists for this key's
/// expert, so that the events they signed in a working copy stay valid
/// and the new key carries on in the same copy. The roster must list this
/// key as the expert's current one. Returns the adopted key ids.
pub fn adopt_previous(key: &KeyFile, roster: &[crate::domain::RosterEntry]) -> Result<Vec<String>> {
    let entry = roster
        .iter()
        .find(|e| e.id == key.id)
        .ok_or_else(|| anyhow!("the roster has no entry for {}", key.id))?;
    if entry.key_id.as_deref() != Some(key.key_id.as_str()) {
        bail!(
            "the roster's entry for {} names key {}, not your key {}: ask the chair for the roster that lists your new key",
            key.id,
            entry.key_id.as_deref().map(short_id).unwrap_or("(none)"),
            short_id(&key.key_id)
        );
    }
    if entry.previous_keys.is_empty() {
        bail!(
            "the roster's entry for {} lists no previous key: ask the chair to add your lost key as a previous key",
            key.id
        );
    }
    for p in &entry.previous_keys {
        crate::crypto::sign::VerifyKey::from_previous(&key.id, p).map_err(anyhow::Error::msg)?;
    }
    let note = PreviousNote {
        key_id: key.key_id.clone(),
        previous: entry.previous_keys.clone(),
    };
    crate::support::fs::write_atomic_mode(
        &previous_path(&key.id)?,
        &serde_json::to_vec_pretty(&note)?,
        Some(0o600),
    )?;
    Ok(entry
        .previous_keys
        .iter()
        .map(|p| p.key_id.clone())
        .collect())
}
