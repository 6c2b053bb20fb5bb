//! Files are written whole or not at all: into a temporary file beside the
//! target, synced, then renamed over it, and the directory synced.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

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
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads at most `limit` bytes of the file at `path`, whatever it is (a
/// regular file, a FIFO, a device such as `/dev/zero`): more is refused
/// after reading `limit + 1` bytes, never after filling memory.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let f = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    f.take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if out.len() as u64 > limit {
        anyhow::bail!(
            "{}: larger than the {} bytes allowed for this kind of file",
            path.display(),
            limit
        );
    }
    Ok(out)
}
