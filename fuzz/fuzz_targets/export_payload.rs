//! The scores payload's checks past the signature: payload parsing, the
//! rubric, the hash chain, the replay and the comparison of results. The
//! signature is skipped so mutated payloads reach the checks; any bytes
//! give a summary or a reason, never a panic. An input is a whole signed
//! file (the seeds) or, when it is not one, the payload's bytes themselves
//! (what the base64 of a file carries), so mutations reach the payload's
//! JSON directly.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::crypto::envelope::{EnvSignature, Envelope, SCORES_TYPE};
use panelist::domain::RosterEntry;
use panelist::verify::{Context, PayloadRules, ScoresRules};

const ROSTER: &str = include_str!("../../tests/hostile/export-roster.json");
static ROSTER_ENTRIES: std::sync::OnceLock<Vec<RosterEntry>> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let roster = ROSTER_ENTRIES.get_or_init(|| {
        panelist::import::parse_roster(std::path::Path::new("roster.json"), ROSTER.as_bytes())
            .expect("corpus roster")
    });
    let env = match std::str::from_utf8(data).ok().map(Envelope::parse) {
        Some(Ok(env)) => env,
        _ => Envelope {
            payload_type: SCORES_TYPE.into(),
            payload: data.to_vec(),
            signatures: vec![EnvSignature {
                keyid: roster[0].key_id.clone().unwrap_or_default(),
                sig: String::new(),
            }],
        },
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
