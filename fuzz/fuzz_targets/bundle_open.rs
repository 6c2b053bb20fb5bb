//! Bundle open: arbitrary file contents (seeded with real bundles) open and
//! read, or give an error — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::store::Bundle;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("f.bundle");
    std::fs::write(&p, data).expect("write");
    if let Ok(b) = Bundle::open_read(&p) {
        let _ = b.applications();
        let _ = b.roster();
        let _ = b.sheet();
        let _ = b.verify_chain();
    }
});
