//! Bundle open: arbitrary file contents (seeded with real bundles) open and
//! read, or give an error — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::store::Bundle;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One file per fuzzing process, rewritten for each input: in memory
/// (`/dev/shm`) where the system has it, so the runs measure SQLite and
/// the bundle checks rather than the disk.
static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (_, p) = FILE.get_or_init(|| {
        let shm = std::path::Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            tempfile::tempdir_in(shm)
        } else {
            tempfile::tempdir()
        }
        .expect("temp dir");
        let p = dir.path().join("f.bundle");
        (dir, p)
    });
    std::fs::write(p, data).expect("write");
    if let Ok(b) = Bundle::open_read(p) {
        let _ = b.applications();
        let _ = b.roster();
        let _ = b.sheet();
        let _ = b.verify_chain();
    }
});
