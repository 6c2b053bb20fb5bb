//! Where panelist keeps its files. `PANELIST_HOME` relocates everything
//! (tests, a USB stick): data under `$PANELIST_HOME/data`, configuration
//! under `$PANELIST_HOME/config`. Otherwise the platform's directories.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};

fn home() -> Option<PathBuf> {
    std::env::var_os("PANELIST_HOME")
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
}

fn project() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "panelist")
        .ok_or_else(|| anyhow!("no home directory found; set PANELIST_HOME"))
}

/// The data directory (working copies, keys), created if missing.
pub fn data_dir() -> Result<PathBuf> {
    let d = match home() {
        Some(h) => h.join("data"),
        None => project()?.data_dir().to_path_buf(),
    };
    std::fs::create_dir_all(&d).with_context(|| format!("cannot create {}", d.display()))?;
    Ok(d)
}

/// The configuration directory (not created).
pub fn config_dir() -> Result<PathBuf> {
    Ok(match home() {
        Some(h) => h.join("config"),
        None => project()?.config_dir().to_path_buf(),
    })
}

/// The configuration file, `config.toml` in the configuration directory.
pub fn config_file() -> Result<PathBuf> {
    Ok(config_dir()?.join("config.toml"))
}
