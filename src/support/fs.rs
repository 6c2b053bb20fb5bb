//! Files are written whole or not at all: into a temporary file beside the
//! target, synced, then renamed over it, and the directory synced.
//!
//! Every file is read through [`read_limited`] with the [`limits`] of its
//! kind, whatever it is (a regular file, a FIFO, `/dev/zero`); every
//! command that writes checks its outputs against its inputs first with
//! [`check_outputs`]; a set of outputs that belong together is written
//! under an [`OutputLock`].

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

/// A temporary path beside `target` that is removed on drop unless kept.
pub struct TempPath {
    path: PathBuf,
    keep: bool,
}

impl TempPath {
    pub fn beside(target: &Path) -> TempPath {
        let dir = parent(target);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut rnd = [0u8; 6];
        let _ = getrandom::fill(&mut rnd);
        let tag: String = rnd.iter().map(|b| format!("{b:02x}")).collect();
        TempPath {
            path: dir.join(format!(".{name}.{}-{tag}.tmp", std::process::id())),
            keep: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Syncs the temporary file and renames it over `target`.
    pub fn commit(mut self, target: &Path) -> Result<()> {
        File::open(&self.path)
            .and_then(|f| f.sync_all())
            .with_context(|| format!("cannot sync {}", self.path.display()))?;
        fs::rename(&self.path, target)
            .with_context(|| format!("cannot write {}", target.display()))?;
        self.keep = true;
        sync_dir(&parent(target));
        Ok(())
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
            for ext in ["-wal", "-shm", "-journal"] {
                let mut p = self.path.clone().into_os_string();
                p.push(ext);
                let _ = fs::remove_file(PathBuf::from(p));
            }
        }
    }
}

fn parent(p: &Path) -> PathBuf {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn sync_dir(dir: &Path) {
    // Best effort: some file systems (FAT on USB sticks) cannot sync a
    // directory handle; the rename itself is still atomic there.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `target` atomically.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_mode(target, bytes, None)
}

/// Writes atomically with a Unix file mode (e.g. 0o600 for key files).
pub fn write_atomic_mode(target: &Path, bytes: &[u8], mode: Option<u32>) -> Result<()> {
    let tmp = TempPath::beside(target);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if let Some(m) = mode {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(m);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts
        .open(tmp.path())
        .with_context(|| format!("cannot create a file in {}", parent(target).display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", target.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot sync {}", target.display()))?;
    drop(f);
    tmp.commit(target)
}

/// A short reason for an I/O error, without the OS error number.
pub fn io_msg(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => crate::tr!("没有这个文件", "no such file").into(),
        std::io::ErrorKind::PermissionDenied => crate::tr!("没有权限", "permission denied").into(),
        _ => e.to_string(),
    }
}

/// The size limit of one kind of file: what it is (for the message) and
/// how many bytes are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub what: &'static str,
    pub bytes: u64,
}

/// The size limit of every kind of file panelist reads (docs/formats.md,
/// "Size limits"). A larger file, or a device or FIFO that gives more, is
/// refused after reading one byte past the limit, never after filling
/// memory.
pub mod limits {
    use super::Limit;

    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;

    /// A JSON or CSV file of applications (`bundle new`, `bundle check`).
    pub const APPLICATIONS: Limit = Limit {
        what: "an applications file",
        bytes: 512 * MIB,
    };
    /// A roster as a JSON array (a roster given as a bundle is a bundle).
    pub const ROSTER: Limit = Limit {
        what: "a roster",
        bytes: 16 * MIB,
    };
    /// A custom catalog or rubric (TOML or JSON).
    pub const CATALOG: Limit = Limit {
        what: "a catalog or rubric",
        bytes: 16 * MIB,
    };
    /// A signed file: an expert's export or a merged result.
    pub const SIGNED: Limit = Limit {
        what: "a signed file",
        bytes: 256 * MIB,
    };
    /// A key file.
    pub const KEY: Limit = Limit {
        what: "a key file",
        bytes: 64 * KIB,
    };
    /// A passphrase file.
    pub const PASSPHRASE: Limit = Limit {
        what: "a passphrase file",
        bytes: 4 * KIB,
    };
    /// The screens' configuration file.
    pub const CONFIG: Limit = Limit {
        what: "a configuration file",
        bytes: MIB,
    };
    /// A key's note of the last head it signed in a working copy.
    pub const HEAD_NOTE: Limit = Limit {
        what: "a signed-head note",
        bytes: 4 * KIB,
    };
    /// The CSV of a merged result, read back to check which signed file it
    /// belongs to.
    pub const PEOPLE_CSV: Limit = Limit {
        what: "a merged result's CSV",
        bytes: 256 * MIB,
    };
    /// The XLSX of a merged result, read back likewise.
    pub const PEOPLE_XLSX: Limit = Limit {
        what: "a merged result's XLSX",
        bytes: 256 * MIB,
    };
    /// Any file `panelist audit` is given: a working copy or a signed file.
    pub const AUDITED: Limit = Limit {
        what: "a file to audit",
        bytes: 1024 * MIB,
    };
}

/// `n` bytes as people read it: 512 MiB, 64 KiB, 300 bytes.
pub fn human_size(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

fn too_large(path: &Path, limit: &Limit) -> anyhow::Error {
    anyhow!(crate::tr!(
        format!(
            "{}：大于 {}（{}的上限）",
            path.display(),
            human_size(limit.bytes),
            limit.what
        ),
        format!(
            "{}: larger than {}, the limit for {}",
            path.display(),
            human_size(limit.bytes),
            limit.what
        )
    ))
}

fn cannot_read(path: &Path, e: &std::io::Error) -> anyhow::Error {
    anyhow!(crate::tr!(
        format!("{}：无法读取：{}", path.display(), io_msg(e)),
        format!("{}: cannot read: {}", path.display(), io_msg(e))
    ))
}

/// Reads the whole file at `path`, whatever it is (a regular file, a FIFO,
/// a device such as `/dev/zero`), refusing it once it gives more than
/// `limit` bytes: a regular file by its size before reading, anything else
/// after `limit + 1` bytes. Memory never grows past the limit.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    read_kind(
        path,
        &Limit {
            what: "this kind of file",
            bytes: limit,
        },
    )
}

/// [`read_limited`] with the limit of a kind of file from [`limits`].
pub fn read_kind(path: &Path, limit: &Limit) -> Result<Vec<u8>> {
    let f = File::open(path).map_err(|e| cannot_read(path, &e))?;
    read_open(f, path, limit)
}

/// [`read_kind`] of a file already open (`path` names it in messages).
pub fn read_open(f: File, path: &Path, limit: &Limit) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    read_open_into(f, path, limit, &mut out)?;
    Ok(out)
}

/// A buffer a thread keeps between calls ([`with_room`]).
pub type Room = std::thread::LocalKey<std::cell::RefCell<Vec<u8>>>;

/// Runs `f` with this thread's buffer `room`, emptied: a worker handling
/// file after file of megabytes reuses its room instead of faulting in
/// fresh pages for each. Room for a few megabytes is kept, not for a
/// hundred; a call from inside `f` gets a buffer of its own. Not for
/// secrets (the bytes outlive the call).
pub fn with_room<R>(room: &'static Room, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    room.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            let done = f(&mut buf);
            buf.clear();
            if buf.capacity() > 16 << 20 {
                *buf = Vec::new();
            }
            done
        }
        Err(_) => f(&mut Vec::new()),
    })
}

/// Runs `f` on the bytes of `path` (as [`read_kind`] reads them), read
/// into a buffer this thread keeps ([`with_room`]).
pub fn with_read<R>(path: &Path, limit: &Limit, f: impl FnOnce(Result<&[u8]>) -> R) -> R {
    thread_local! {
        static READ: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    with_room(&READ, |out| {
        let r = File::open(path)
            .map_err(|e| cannot_read(path, &e))
            .and_then(|file| read_open_into(file, path, limit, out));
        f(r.map(|()| &out[..]))
    })
}

/// [`read_open`] into `out` (emptied first, its room kept).
fn read_open_into(mut f: File, path: &Path, limit: &Limit, out: &mut Vec<u8>) -> Result<()> {
    use std::io::Read as _;
    out.clear();
    let md = f.metadata().map_err(|e| cannot_read(path, &e))?;
    if md.is_dir() {
        bail!(crate::tr!(
            format!("{}：是文件夹，不是文件", path.display()),
            format!("{}: is a folder, not a file", path.display())
        ));
    }
    if md.is_file() && md.len() > limit.bytes {
        return Err(too_large(path, limit));
    }
    let cap = usize::try_from(limit.bytes).unwrap_or(usize::MAX);
    // The size can change while it is read; it is only a first guess (a
    // pipe's is 64 KiB). Room past it, so that `read_to_end` reads into
    // the buffer itself, never first into a small buffer of its own on
    // the stack (which nothing zeroes: the file may be a passphrase).
    let guess = if md.is_file() {
        usize::try_from(md.len()).unwrap_or(cap).min(cap)
    } else {
        64 * 1024
    };
    out.try_reserve_exact(guess.saturating_add(64))
        .map_err(|_| anyhow!("{}: not enough memory to read it", path.display()))?;
    // Read straight into the buffer (no copy through another one, where
    // a passphrase would be left behind); one byte past the limit says
    // the file is too large. Growth past the first guess is fallible
    // (`read_to_end` reserves with `try_reserve`, and retries interrupted
    // reads).
    match (&mut f)
        .take(limit.bytes.saturating_add(1))
        .read_to_end(out)
    {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::OutOfMemory => {
            bail!("{}: not enough memory to read it", path.display())
        }
        Err(e) => return Err(cannot_read(path, &e)),
    }
    if out.len() > cap {
        return Err(too_large(path, limit));
    }
    Ok(())
}

/// [`read_kind`] as UTF-8 text (a leading byte-order mark kept).
pub fn read_text(path: &Path, limit: &Limit) -> Result<String> {
    let bytes = read_kind(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{}: not UTF-8 (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// What sits at a path, for [`check_outputs`]: its device and inode when
/// it exists, and its absolute path (the folder resolved, the name as
/// given) when its folder exists.
#[derive(Debug)]
struct Place {
    inode: Option<(u64, u64)>,
    path: Option<PathBuf>,
}

impl Place {
    fn of(p: &Path) -> Place {
        #[cfg(unix)]
        let inode = {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
        };
        #[cfg(not(unix))]
        let inode = None;
        let path = p.file_name().and_then(|name| {
            fs::canonicalize(parent(p))
                .ok()
                .map(|d| d.join(name))
                .or_else(|| fs::canonicalize(p).ok())
        });
        Place { inode, path }
    }

    fn same(&self, other: &Place) -> bool {
        match (self.inode, other.inode) {
            (Some(a), Some(b)) => a == b,
            _ => self.path.is_some() && self.path == other.path,
        }
    }
}

/// What kind of thing other than a regular file sits at a path.
fn kind_name(ft: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// Checks, before a command writes anything, that each of `outputs` can
/// be written without destroying something: its folder exists; what is
/// there now (following a link) is a regular file, not a device, FIFO,
/// socket or folder; it is none of `inputs` (the same file by path or by
/// device and inode, so a hard link or a link is caught too); and no two
/// outputs are the same file. `Err` is one line naming the output.
pub fn check_outputs(inputs: &[&Path], outputs: &[&Path]) -> Result<()> {
    let ins: Vec<(&Path, Place)> = inputs.iter().map(|p| (*p, Place::of(p))).collect();
    let mut outs: Vec<(&Path, Place)> = Vec::new();
    for &o in outputs {
        let od = o.display();
        if o.file_name().is_none() {
            bail!(crate::tr!(
                format!("{od}：这是文件夹，不是要写出的文件"),
                format!("{od}: names a folder, not a file to write")
            ));
        }
        let dir = parent(o);
        match fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => bail!(crate::tr!(
                format!("{od}：{} 不是文件夹", dir.display()),
                format!("{od}: {} is not a folder", dir.display())
            )),
            Err(_) => bail!(crate::tr!(
                format!("{od}：没有可写入的文件夹 {}（请先建立）", dir.display()),
                format!(
                    "{od}: no folder {} to write into (make it first)",
                    dir.display()
                )
            )),
        }
        if let Ok(m) = fs::metadata(o)
            && !m.is_file()
        {
            bail!(
                "{od}: is {}, not a regular file; name a new file to write",
                kind_name(&m.file_type())
            );
        }
        let place = Place::of(o);
        if let Some((i, _)) = ins.iter().find(|(_, p)| p.same(&place)) {
            if i == &o {
                bail!(crate::tr!(
                    format!("{od}：也是本命令的输入；请另取一个输出文件名"),
                    format!("{od}: is also an input of this command; name another file to write")
                ));
            }
            bail!(crate::tr!(
                format!(
                    "{od}：与输入 {} 是同一个文件；请另取一个输出文件名",
                    i.display()
                ),
                format!(
                    "{od}: is the same file as the input {}; name another file to write",
                    i.display()
                )
            ));
        }
        if let Some((q, _)) = outs.iter().find(|(_, p)| p.same(&place)) {
            bail!(crate::tr!(
                format!(
                    "{od}：作为输出给了两次（另一次是 {}）；每个输出请用不同的文件",
                    q.display()
                ),
                format!(
                    "{od}: is given twice as an output (also as {}); name a file for each",
                    q.display()
                )
            ));
        }
        outs.push((o, place));
    }
    Ok(())
}

/// An exclusive lock on a set of output files, held until dropped: a lock
/// file `.NAME.lock` beside each output, locked with `flock` (advisory:
/// every panelist writing any of them takes it). A second writer of any
/// of the files is refused at once with one line. The lock files stay
/// (removing one would let a third writer lock a new file while the
/// second still waits on the old).
#[derive(Debug)]
pub struct OutputLock {
    _files: Vec<File>,
}

/// The lock file of `target`.
pub fn lock_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent(target).join(format!(".{name}.lock"))
}

impl OutputLock {
    /// Locks every output of `targets` (in the order given).
    pub fn acquire(targets: &[&Path]) -> Result<OutputLock> {
        let mut files = Vec::new();
        for t in targets {
            let lp = lock_path(t);
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&lp)
                .map_err(|e| {
                    anyhow!(
                        "{}: cannot make the lock file {}: {}",
                        t.display(),
                        lp.display(),
                        io_msg(&e)
                    )
                })?;
            match f.try_lock() {
                Ok(()) => files.push(f),
                Err(fs::TryLockError::WouldBlock) => bail!(crate::tr!(
                    format!(
                        "{}：另一个 panelist 正在写这个文件（锁 {}）；等它结束后再运行",
                        t.display(),
                        lp.display()
                    ),
                    format!(
                        "{}: another panelist is writing this file now (lock {}); run again when it has finished",
                        t.display(),
                        lp.display()
                    )
                )),
                Err(fs::TryLockError::Error(e)) => bail!(
                    "{}: cannot lock {}: {}",
                    t.display(),
                    lp.display(),
                    io_msg(&e)
                ),
            }
        }
        Ok(OutputLock { _files: files })
    }
}

/// A file written by `write` to its temporary beside `target` (buffered)
/// and synced, to be renamed into place with [`TempPath::commit`]; gone
/// if `write` fails or the temporary is dropped.
pub fn stage(
    target: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<File>) -> Result<()>,
) -> Result<TempPath> {
    let tmp = TempPath::beside(target);
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp.path())
        .with_context(|| format!("cannot create a file in {}", parent(target).display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    write(&mut w)?;
    let f = w
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(|| format!("cannot write {}", target.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot sync {}", target.display()))?;
    Ok(tmp)
}

/// A set of files written together: every file is written to its
/// temporary beside its target and synced first, then all are renamed in
/// the order given (put the file the others name last), so that a crash
/// leaves every target either old or new, and the set complete and new
/// once the last rename is done.
pub fn write_set(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = Vec::new();
    for (target, bytes) in files {
        let tmp = stage(target, |f| {
            f.write_all(bytes)
                .with_context(|| format!("cannot write {}", target.display()))
        })?;
        staged.push((tmp, *target));
    }
    for (tmp, target) in staged {
        tmp.commit(target)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_more_than_the_limit_of_a_device() {
        let lim = Limit {
            what: "a test file",
            bytes: 1000,
        };
        let e = read_kind(Path::new("/dev/zero"), &lim).unwrap_err();
        assert!(format!("{e:#}").contains("larger than 1000 bytes"), "{e:#}");
    }

    #[test]
    fn reads_a_file_at_the_limit() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        fs::write(&p, [7u8; 1000]).unwrap();
        let lim = Limit {
            what: "a test file",
            bytes: 1000,
        };
        assert_eq!(read_kind(&p, &lim).unwrap().len(), 1000);
        let small = Limit { bytes: 999, ..lim };
        assert!(read_kind(&p, &small).is_err());
    }

    #[test]
    fn outputs_checked_against_inputs_and_each_other() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a.json");
        fs::write(&a, b"x").unwrap();
        let link = d.path().join("b.json");
        fs::hard_link(&a, &link).unwrap();
        let new = d.path().join("new.json");
        let e = |i: &[&Path], o: &[&Path]| format!("{:#}", check_outputs(i, o).unwrap_err());
        assert!(e(&[&a], &[&a]).contains("also an input"));
        assert!(e(&[&a], &[&link]).contains("same file as the input"));
        assert!(e(&[], &[&new, &new]).contains("twice"));
        assert!(e(&[], &[&d.path().join("no/x.csv")]).contains("no folder"));
        assert!(e(&[], &[Path::new("/dev/null")]).contains("a device"));
        assert!(e(&[], &[d.path()]).contains("a folder"));
        check_outputs(&[&a], &[&new]).unwrap();
    }
}
