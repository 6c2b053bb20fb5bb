//! Air-gap: the dependency tree holds no networking crate. panelist runs in
//! review rooms without a network and must never open a socket.

use std::collections::BTreeSet;

/// Crates whose purpose is network I/O (clients, servers, TLS, DNS,
/// async runtimes with sockets).
const NETWORK_CRATES: &[&str] = &[
    "reqwest",
    "hyper",
    "hyper-util",
    "h2",
    "h3",
    "ureq",
    "curl",
    "curl-sys",
    "isahc",
    "surf",
    "attohttpc",
    "minreq",
    "http-body",
    "tokio",
    "async-std",
    "smol",
    "socket2",
    "native-tls",
    "openssl",
    "openssl-sys",
    "rustls",
    "webpki",
    "tungstenite",
    "tokio-tungstenite",
    "websocket",
    "trust-dns-resolver",
    "hickory-resolver",
    "quinn",
    "lettre",
    "ssh2",
    "libssh2-sys",
    "axum",
    "actix-web",
    "warp",
    "rocket",
    "tonic",
    "zmq",
    "nng",
    "mio-serial",
];

fn locked_packages() -> BTreeSet<String> {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock"))
        .expect("Cargo.lock is committed");
    lock.lines()
        .filter_map(|l| l.strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"').to_string())
        .collect()
}

#[test]
fn no_networking_crate_in_the_lock_file() {
    let pkgs = locked_packages();
    assert!(
        pkgs.contains("rusqlite"),
        "the lock file was read: {pkgs:?}"
    );
    let bad: Vec<&&str> = NETWORK_CRATES
        .iter()
        .filter(|c| pkgs.contains(**c))
        .collect();
    assert!(
        bad.is_empty(),
        "networking crates in the dependency tree: {bad:?}"
    );
}

/// mio is there only as crossterm's terminal event poller. Its `net`
/// feature is switched on by signal-hook-mio alone, which uses a local
/// Unix-domain socket pair to deliver the window-resize signal; nothing
/// else may ask for it.
#[test]
fn mio_net_comes_only_from_the_resize_signal_pipe() {
    if !locked_packages().contains("mio") {
        return;
    }
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "features",
            "-i",
            "mio",
            "--prefix",
            "depth",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    // The crates that directly enable `mio feature "net"` are at depth 1
    // right below that line.
    let at = lines
        .iter()
        .position(|l| l.ends_with("mio feature \"net\""))
        .expect("listed");
    let depth = |l: &str| {
        l.chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
    };
    let base = depth(lines[at]).parse::<u32>().unwrap_or(0);
    let enablers: Vec<&str> = lines[at + 1..]
        .iter()
        .take_while(|l| depth(l).parse::<u32>().unwrap_or(0) > base)
        .filter(|l| depth(l).parse::<u32>().unwrap_or(0) == base + 1)
        .copied()
        .collect();
    assert!(!enablers.is_empty(), "{text}");
    for e in &enablers {
        assert!(
            e.contains("signal-hook-mio"),
            "mio's net feature enabled by {e}: {text}"
        );
    }
}
