//! The scores payload's checks past the signature: payload parsing, the
//! rubric, the hash chain, the replay and the comparison of results. The
//! signature is skipped so mutated payloads reach the checks; any bytes
//! give a summary or a reason, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::crypto::envelope::Envelope;
use panelist::domain::RosterEntry;
use panelist::verify::{Context, PayloadRules, ScoresRules};

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
    let Ok(env) = Envelope::parse(text) else {
        return;
    };
    let ctx = Context {
        roster,
        bundle: None,
    };
    let rules = ScoresRules;
    // The signer is looked up from the payload; without one in the roster
    // the content checks still run as if the first entry had signed.
    let signer = rules.signer(&env, roster).unwrap_or(&roster[0]);
    let _ = rules.check(&env, signer, &ctx);
});
