//! A roster with public keys, as `panelist verify --roster` reads it: any
//! bytes give entries whose keys all check, or an error — never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::crypto::sign::VerifyKey;
use panelist::verify::check_roster;

fuzz_target!(|data: &[u8]| {
    let Ok(roster) = panelist::import::parse_roster(std::path::Path::new("roster.json"), data)
    else {
        return;
    };
    if check_roster(&roster).is_ok() {
        for e in &roster {
            if e.key_id.is_some() {
                let k = VerifyKey::from_roster(e).expect("checked roster key");
                assert_eq!(Some(k.key_id()), e.key_id, "key id");
            }
        }
    }
});
