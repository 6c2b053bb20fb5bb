//! Infrastructure every layer may use: the injected clock, file writing
//! and bounded reading, where files live, strict JSON, the message
//! language. Nothing here knows the domain, the database or the terminal.

pub mod canon;
pub mod clock;
pub mod fs;
pub mod jsonio;
pub mod lang;
pub mod par;
pub mod paths;
pub mod strict;
