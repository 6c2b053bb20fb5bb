//! Application import (CSV, any encoding): any bytes give applications or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use panelist::domain::catalog::shipped_catalog;
use panelist::import::{Encoding, parse_applications};

static CATALOG: std::sync::OnceLock<panelist::domain::Catalog> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let catalog = CATALOG.get_or_init(|| shipped_catalog("2023").expect("catalog"));
    let p = std::path::Path::new("fuzz.csv");
    if let Ok(parsed) = parse_applications(p, data, true, catalog, Encoding::Auto) {
        let _ = panelist::domain::rules::check(catalog, &parsed.applications);
    }
});
