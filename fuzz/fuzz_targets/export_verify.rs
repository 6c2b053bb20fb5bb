//! `panelist verify` on one file: any bytes give a verdict (OK or the
//! reason it is bad) against a fixed roster, never a panic. The roster is
//! the hostile corpus's, so tests/hostile/export-*.json are good seeds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::domain::RosterEntry;
use panelist::verify::{Context, verify_text};

const ROSTER: &str = include_str!("../../tests/hostile/export-roster.json");
static ROSTER_ENTRIES: std::sync::OnceLock<Vec<RosterEntry>> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let roster = ROSTER_ENTRIES.get_or_init(|| {
        panelist::import::parse_roster(std::path::Path::new("roster.json"), ROSTER.as_bytes())
            .expect("corpus roster")
    });
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ctx = Context {
        roster,
        bundle: None,
    };
    let _ = verify_text(text, &ctx);
});
