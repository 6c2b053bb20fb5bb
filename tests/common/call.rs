//! A generated call for the ministry's tests: `panelist dev call` (three
//! panels of three experts and ten applications, every planted problem)
//! combined once with the ministry's key and the planted quota into
//! `call/combined.json`, in a fixture folder kept for the test binary.

use std::path::PathBuf;

use super::cli::Scratch;

pub struct Call {
    pub s: Scratch,
}

impl Call {
    /// The file `name` of the generated call.
    pub fn path(&self, name: &str) -> PathBuf {
        self.s.path(&format!("call/{name}"))
    }

    /// A small call in the fixture folder `fixture`, combined.
    pub fn combined(fixture: &str) -> Call {
        let s = Scratch::for_fixture(fixture);
        let dir = s.path("call");
        let d = dir.display().to_string();
        let r = s.run(&[
            "dev",
            "call",
            "--panels",
            "3",
            "--experts",
            "3",
            "--apps",
            "10",
            "-o",
            &d,
        ]);
        assert_eq!(r.code, 0, "dev call: {}", r.stderr);
        let p = |n: &str| dir.join(n).display().to_string();
        let r = s.run(&[
            "combine",
            &p("merged"),
            "--roster",
            &p("roster.json"),
            "-o",
            &p("combined.json"),
            "--key",
            &p("ministry.key"),
            "--passphrase-file",
            &p("ministry.pass"),
            "--quota",
            &p("quota.toml"),
        ]);
        assert_eq!(r.code, 0, "combine: {}\n{}", r.stdout, r.stderr);
        Call { s }
    }
}
