//! The CJK font the paper is set in: one installed on the machine (found
//! in the usual fontconfig folders, no fontconfig needed) or a file given
//! with `--font`. Nothing is downloaded; without a font the caller names
//! the Debian packages to install.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, anyhow};

/// Font files known to carry Simplified Chinese, best first. A collection
/// (`.ttc`) is searched for its Simplified Chinese face.
const KNOWN: &[&str] = &[
    "NotoSerifCJK-Regular.ttc",
    "NotoSansCJK-Regular.ttc",
    "NotoSerifCJKsc-Regular.otf",
    "NotoSansCJKsc-Regular.otf",
    "NotoSerifSC-Regular.otf",
    "NotoSansSC-Regular.otf",
    "SourceHanSerif-Regular.ttc",
    "SourceHanSans-Regular.ttc",
    "SourceHanSerifSC-Regular.otf",
    "SourceHanSansSC-Regular.otf",
    "wqy-zenhei.ttc",
    "wqy-microhei.ttc",
    "simsun.ttc",
    "SimSun.ttf",
    "simhei.ttf",
    "msyh.ttc",
    "Songti.ttc",
];

/// What to install when no font is found (one line, both languages).
pub const INSTALL_HINT_ZH: &str = "未找到中文字体：请安装 fonts-noto-cjk 或 fonts-wqy-zenhei（Debian/Ubuntu：apt-get install fonts-noto-cjk），或用 --font 指定字体文件";
pub const INSTALL_HINT_EN: &str = "no CJK font found: install fonts-noto-cjk or fonts-wqy-zenhei (Debian/Ubuntu: apt-get install fonts-noto-cjk), or give a font file with --font";

/// Why no font could be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// None installed and none given.
    #[error("{INSTALL_HINT_EN}")]
    NotFound,
    /// The given file is not a usable font.
    #[error("{0}")]
    Bad(String),
}

/// The folders searched, in order: the system's, then the user's.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut v = vec![
        PathBuf::from("/usr/share/fonts"),
        PathBuf::from("/usr/local/share/fonts"),
    ];
    if let Some(home) = std::env::var_os("HOME") {
        let h = PathBuf::from(home);
        v.push(h.join(".local/share/fonts"));
        v.push(h.join(".fonts"));
    }
    v.push(PathBuf::from("/Library/Fonts"));
    v.push(PathBuf::from("/System/Library/Fonts"));
    v
}

/// The best known CJK font file under `dirs` (searched to a small depth).
pub fn find_installed(dirs: &[PathBuf]) -> Option<PathBuf> {
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    for d in dirs {
        walk(d, 0, &mut found);
    }
    // Best rank first; the path settles equal ranks, so the choice does
    // not depend on the order a folder lists.
    found.sort();
    found.into_iter().next().map(|(_, p)| p)
}

fn walk(dir: &Path, depth: u32, found: &mut Vec<(usize, PathBuf)>) {
    if depth > 5 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            walk(&p, depth + 1, found);
        } else if let Some(name) = p.file_name().and_then(|n| n.to_str())
            && let Some(rank) = KNOWN.iter().position(|k| k.eq_ignore_ascii_case(name))
        {
            found.push((rank, p));
        }
    }
}

/// A font loaded for setting text: its bytes, the face used, and the
/// glyph and advance of every character asked for so far.
pub struct PaperFont {
    pub path: PathBuf,
    pub data: Arc<Vec<u8>>,
    pub index: u32,
    units_per_em: f32,
    cache: HashMap<char, (u16, f32)>,
}

impl PaperFont {
    /// `given`, else the best installed font.
    pub fn locate(given: Option<&Path>) -> std::result::Result<PaperFont, FontError> {
        let path = match given {
            Some(p) => p.to_path_buf(),
            None => find_installed(&search_dirs()).ok_or(FontError::NotFound)?,
        };
        PaperFont::load(&path).map_err(|e| FontError::Bad(e.to_string()))
    }

    /// Loads the font at `path`: in a collection, the face whose name says
    /// Simplified Chinese (SC), else the first.
    pub fn load(path: &Path) -> Result<PaperFont> {
        let p = path.display();
        let data = std::fs::read(path)
            .map_err(|e| anyhow!("{p}: cannot read: {}", crate::support::fs::io_msg(&e)))?;
        let n = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let mut index = None;
        for i in 0..n {
            let Ok(face) = ttf_parser::Face::parse(&data, i) else {
                continue;
            };
            let sc = face.names().into_iter().any(|name| {
                name.to_string()
                    .is_some_and(|s| s.contains(" SC") || s.ends_with("SC"))
            });
            if index.is_none() || sc {
                index = Some((i, face.units_per_em() as f32));
            }
            if sc {
                break;
            }
        }
        let (index, upem) = index.ok_or_else(|| anyhow!("{p}: not a TrueType or OpenType font"))?;
        let font = PaperFont {
            path: path.to_path_buf(),
            data: Arc::new(data),
            index,
            units_per_em: upem.max(1.0),
            cache: HashMap::new(),
        };
        if font.face().glyph_index('中').is_none() {
            return Err(anyhow!("{p}: this font has no Chinese characters"));
        }
        Ok(font)
    }

    fn face(&self) -> ttf_parser::Face<'_> {
        // Parsed once in `load`, so this cannot fail.
        ttf_parser::Face::parse(&self.data, self.index).expect("font parsed at load")
    }

    /// The glyph of `c` (0, the font's missing-glyph box, when it has none)
    /// and its advance in ems.
    pub fn glyph(&mut self, c: char) -> (u16, f32) {
        if let Some(g) = self.cache.get(&c) {
            return *g;
        }
        let face = self.face();
        let gid = face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        let adv = face.glyph_hor_advance(gid).unwrap_or(0) as f32 / self.units_per_em;
        let g = (gid.0, adv);
        self.cache.insert(c, g);
        g
    }

    /// The width of `s` at `size` points.
    pub fn width(&mut self, s: &str, size: f32) -> f32 {
        s.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_known_font_is_found_in_any_subfolder() {
        let d = tempfile::tempdir().expect("tmp");
        assert_eq!(find_installed(&[d.path().to_path_buf()]), None);
        let deep = d.path().join("truetype/wqy");
        std::fs::create_dir_all(&deep).expect("dir");
        std::fs::write(deep.join("wqy-zenhei.ttc"), b"x").expect("font");
        std::fs::write(d.path().join("DejaVuSans.ttf"), b"x").expect("font");
        assert_eq!(
            find_installed(&[d.path().to_path_buf()]),
            Some(deep.join("wqy-zenhei.ttc"))
        );
        // Noto Serif CJK ranks above WenQuanYi.
        let noto = d.path().join("opentype/noto");
        std::fs::create_dir_all(&noto).expect("dir");
        std::fs::write(noto.join("NotoSerifCJK-Regular.ttc"), b"x").expect("font");
        assert_eq!(
            find_installed(&[d.path().to_path_buf(), PathBuf::from("/nonexistent")]),
            Some(noto.join("NotoSerifCJK-Regular.ttc"))
        );
    }

    #[test]
    fn a_file_that_is_not_a_font_is_named() {
        let d = tempfile::tempdir().expect("tmp");
        let f = d.path().join("roster.json");
        std::fs::write(&f, b"[]").expect("write");
        let e = PaperFont::load(&f).err().expect("refused").to_string();
        assert!(e.ends_with("not a TrueType or OpenType font"), "{e}");
        assert!(matches!(
            PaperFont::locate(Some(&d.path().join("none.ttf"))),
            Err(FontError::Bad(m)) if m.contains("cannot read")
        ));
    }
}
