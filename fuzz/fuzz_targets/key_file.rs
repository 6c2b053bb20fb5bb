//! The key file's text: any bytes parse to a key file whose public part
//! checks, or give an error; a parsed file writes back to text that parses
//! to the same file. (Unsealing is not fuzzed: it runs Argon2 by design.)
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::crypto::keys::KeyFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(f) = KeyFile::parse(text) else {
        return;
    };
    f.verify_key()
        .expect("a parsed key file has a valid public key");
    let again = KeyFile::parse(&f.to_text()).expect("written key file parses");
    assert_eq!(again, f);
    let _ = f.roster_entry();
});
