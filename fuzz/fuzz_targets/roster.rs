//! Roster parsing: any bytes give a roster or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = panelist::import::parse_roster(std::path::Path::new("roster.json"), data);
});
