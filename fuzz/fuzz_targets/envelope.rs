//! Signed-file envelope: any bytes parse to an envelope or give an error;
//! an envelope that parses writes back to text that parses to the same
//! envelope with the same signed bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::crypto::envelope::Envelope;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(env) = Envelope::parse(text) else {
        return;
    };
    let again = Envelope::parse(&env.to_text()).expect("written envelope parses");
    assert_eq!(again, env);
    assert_eq!(again.signed_bytes(), env.signed_bytes(), "same signed bytes");
});
