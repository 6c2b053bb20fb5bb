//! Key bindings as data: defaults per context, and a partial override from
//! the configuration file that replaces the keys of the commands it names
//! and leaves every other binding alone.
//!
//! A key is written `q`, `G`, `?`, `ctrl-c`, `alt-x`, `shift-left`, `f2`,
//! `enter`, `esc`, `tab`, `backtab`, `space`, `up`, `down`, `left`, `right`,
//! `pageup`, `pagedown`, `home`, `end`, `delete`, `backspace`.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Cmd, Context};

/// One key with its modifiers, normalised so that `G` and `shift-g` are
/// the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let keep = KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
        let mut mods = mods & keep;
        let code = match code {
            // A character already says whether shift was down.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            c => c,
        };
        Key { code, mods }
    }

    pub fn of(ev: &KeyEvent) -> Key {
        Key::new(ev.code, ev.modifiers)
    }
}

impl FromStr for Key {
    type Err = String;

    fn from_str(s: &str) -> Result<Key, String> {
        let bad = || format!("'{s}' is not a key (e.g. q, G, ctrl-c, shift-left, f2, enter)");
        if s.is_empty() {
            return Err(bad());
        }
        // A single character is itself, even '-'.
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, n) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == n {
                break;
            }
            mods |= m;
            rest = &rest[n..];
        }
        let mut cs = rest.chars();
        let code = match (cs.next(), cs.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" => KeyCode::Char(' '),
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "delete" | "del" => KeyCode::Delete,
                "backspace" => KeyCode::Backspace,
                "insert" => KeyCode::Insert,
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=24).contains(&n) => KeyCode::F(n),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            },
        };
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::F(n) => write!(f, "F{n}"),
            _ => f.write_str("?"),
        }
    }
}

/// Overrides as written in the configuration file:
/// context name → command name → keys.
pub type Overrides = BTreeMap<String, BTreeMap<String, Vec<String>>>;

/// The bindings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    map: BTreeMap<Context, Vec<(Cmd, Vec<Key>)>>,
}

fn keys(spec: &[&str]) -> Vec<Key> {
    spec.iter().filter_map(|s| s.parse().ok()).collect()
}

impl Default for Keymap {
    fn default() -> Keymap {
        use Cmd::*;
        let global: Vec<(Cmd, &[&str])> = vec![
            (Quit, &["q"]),
            (Help, &["?", "f1"]),
            (Lang, &["f2", "ctrl-t"]),
            (Export, &["e"]),
            (FocusNext, &["tab"]),
            (FocusPrev, &["backtab"]),
            (Back, &["esc"]),
            (Search, &["/"]),
            (Direction, &["d"]),
            (NextDirection, &["]"]),
            (PrevDirection, &["["]),
            (StatusFilter, &["s"]),
            (ClearFilters, &["x"]),
            (Recuse, &["r"]),
            (Scope, &["o"]),
        ];
        let list: Vec<(Cmd, &[&str])> = vec![
            (Up, &["k", "up"]),
            (Down, &["j", "down"]),
            (PageUp, &["pageup", "ctrl-u", "ctrl-b"]),
            (PageDown, &["pagedown", "ctrl-d", "ctrl-f"]),
            (Top, &["g", "home"]),
            (Bottom, &["G", "end"]),
            (Open, &["enter", "l", "right"]),
        ];
        let detail: Vec<(Cmd, &[&str])> = vec![
            (Up, &["k", "up"]),
            (Down, &["j", "down"]),
            (PageUp, &["pageup", "ctrl-u", "ctrl-b"]),
            (PageDown, &["pagedown", "space", "ctrl-d", "ctrl-f"]),
            (Top, &["g", "home"]),
            (Bottom, &["G", "end"]),
        ];
        let scoring: Vec<(Cmd, &[&str])> = vec![
            (Up, &["k", "up"]),
            (Down, &["j", "down"]),
            (Inc, &["l", "right", "+", "="]),
            (Dec, &["h", "left", "-"]),
            // Large steps keep keys of their own: paging never changes a value.
            (IncLarge, &["L", "shift-right"]),
            (DecLarge, &["H", "shift-left"]),
            // Paging scrolls the application's text above the panel.
            (PageUp, &["pageup", "ctrl-u", "ctrl-b"]),
            (PageDown, &["pagedown", "ctrl-d", "ctrl-f"]),
            (Top, &["g", "home"]),
            (Bottom, &["G", "end"]),
            (Clear, &["delete", "x"]),
            (Commit, &["enter"]),
            (Comment, &["c"]),
            (Recommend, &["y"]),
            (NotRecommend, &["n"]),
        ];
        let replay: Vec<(Cmd, &[&str])> = vec![
            (Quit, &["q"]),
            (Help, &["?", "f1"]),
            (Lang, &["f2", "ctrl-t"]),
            (FocusNext, &["tab"]),
            (FocusPrev, &["backtab"]),
            (Back, &["esc"]),
            (Filter, &["/"]),
            (ClearFilters, &["x"]),
            (AppHistory, &["a"]),
            (Earlier, &["left", "h"]),
            (Later, &["right", "l"]),
        ];
        let timeline: Vec<(Cmd, &[&str])> = vec![
            (Up, &["k", "up"]),
            (Down, &["j", "down"]),
            (PageUp, &["pageup", "ctrl-u", "ctrl-b"]),
            (PageDown, &["pagedown", "space", "ctrl-d", "ctrl-f"]),
            (Top, &["g", "home"]),
            (Bottom, &["G", "end"]),
            (Open, &["enter"]),
        ];
        let sheet: Vec<(Cmd, &[&str])> = vec![
            (Up, &["k", "up"]),
            (Down, &["j", "down"]),
            (PageUp, &["pageup", "ctrl-u", "ctrl-b"]),
            (PageDown, &["pagedown", "space", "ctrl-d", "ctrl-f"]),
            (Top, &["g", "home"]),
            (Bottom, &["G", "end"]),
            (Open, &["enter"]),
        ];
        let mut map = BTreeMap::new();
        for (ctx, list) in [
            (Context::Global, global),
            (Context::List, list),
            (Context::Detail, detail),
            (Context::Scoring, scoring),
            (Context::Replay, replay),
            (Context::Timeline, timeline),
            (Context::Sheet, sheet),
        ] {
            map.insert(ctx, list.into_iter().map(|(c, k)| (c, keys(k))).collect());
        }
        Keymap { map }
    }
}

impl Keymap {
    /// The defaults with `overrides` merged in.
    pub fn with_overrides(overrides: &Overrides) -> Result<Keymap, String> {
        let mut k = Keymap::default();
        k.merge(overrides)?;
        Ok(k)
    }

    /// Replaces the keys of each command the overrides name; every other
    /// binding stays. Refuses unknown contexts, unknown commands, bad key
    /// names and a key bound twice in one context.
    pub fn merge(&mut self, overrides: &Overrides) -> Result<(), String> {
        for (ctx_name, cmds) in overrides {
            let ctx = Context::ALL
                .iter()
                .copied()
                .find(|c| c.name() == ctx_name)
                .ok_or_else(|| {
                    format!(
                        "keys.{ctx_name}: no such context (global, list, detail, scoring, replay, timeline, sheet)"
                    )
                })?;
            let bindings = self.map.entry(ctx).or_default();
            for (cmd_name, specs) in cmds {
                let slot = bindings
                    .iter_mut()
                    .find(|(c, _)| c.name() == *cmd_name)
                    .ok_or_else(|| {
                        format!(
                            "keys.{ctx_name}.{cmd_name}: not a command of this context (see assets/config.example.toml)"
                        )
                    })?;
                let mut new = Vec::new();
                for s in specs {
                    new.push(
                        s.parse::<Key>()
                            .map_err(|e| format!("keys.{ctx_name}.{cmd_name}: {e}"))?,
                    );
                }
                slot.1 = new;
            }
        }
        self.check()
    }

    fn check(&self) -> Result<(), String> {
        for (ctx, bindings) in &self.map {
            let mut seen: BTreeMap<String, Cmd> = BTreeMap::new();
            for (cmd, keys) in bindings {
                for k in keys {
                    if let Some(other) = seen.insert(k.to_string(), *cmd)
                        && other != *cmd
                    {
                        return Err(format!(
                            "keys.{}: {k} is bound to both {} and {}",
                            ctx.name(),
                            other.name(),
                            cmd.name()
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The command `key` means in `ctx`: the context's own binding first,
    /// then its parent's (`global` or `replay`).
    pub fn lookup(&self, ctx: Context, key: &KeyEvent) -> Option<Cmd> {
        let k = Key::of(key);
        let find = |c: Context| {
            self.map.get(&c).and_then(|b| {
                b.iter()
                    .find(|(_, keys)| keys.contains(&k))
                    .map(|(cmd, _)| *cmd)
            })
        };
        find(ctx).or_else(|| ctx.parent().and_then(find))
    }

    /// The keys of `cmd` in `ctx` (empty when unbound).
    pub fn keys(&self, ctx: Context, cmd: Cmd) -> &[Key] {
        self.map
            .get(&ctx)
            .and_then(|b| b.iter().find(|(c, _)| *c == cmd))
            .map(|(_, k)| k.as_slice())
            .unwrap_or(&[])
    }

    /// The first key of `cmd` in `ctx` or else in its parent, for hints.
    pub fn first(&self, ctx: Context, cmd: Cmd) -> Option<Key> {
        self.keys(ctx, cmd)
            .first()
            .or_else(|| ctx.parent().and_then(|p| self.keys(p, cmd).first()))
            .copied()
    }

    /// Every binding of a context, in the order of the defaults.
    pub fn bindings(&self, ctx: Context) -> &[(Cmd, Vec<Key>)] {
        self.map.get(&ctx).map(|v| v.as_slice()).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_parse_and_print() {
        for (s, shown) in [
            ("q", "q"),
            ("G", "G"),
            ("-", "-"),
            ("ctrl-c", "Ctrl-c"),
            ("ctrl-C", "Ctrl-c"),
            ("shift-left", "Shift-←"),
            ("f2", "F2"),
            ("pagedown", "PgDn"),
            ("space", "Space"),
            ("backtab", "Shift-Tab"),
        ] {
            let k: Key = s.parse().expect(s);
            assert_eq!(k.to_string(), shown, "{s}");
        }
        assert_eq!(
            "ctrl--".parse::<Key>().map(|k| k.to_string()),
            Ok("Ctrl--".into())
        );
        assert!("ctrl-".parse::<Key>().is_err());
        assert!("hyper-x".parse::<Key>().is_err());
        assert!("f99".parse::<Key>().is_err());
        assert!("".parse::<Key>().is_err());
    }

    #[test]
    fn shift_on_letters_is_the_letter() {
        let k = Keymap::default();
        let g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(k.lookup(Context::List, &g), Some(Cmd::Bottom));
        let back = ev(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(k.lookup(Context::List, &back), Some(Cmd::FocusPrev));
    }

    #[test]
    fn vim_keys_and_arrows_both_work() {
        let k = Keymap::default();
        for ctx in [Context::List, Context::Detail, Context::Scoring] {
            for code in [KeyCode::Char('j'), KeyCode::Down] {
                assert_eq!(
                    k.lookup(ctx, &ev(code, KeyModifiers::NONE)),
                    Some(Cmd::Down)
                );
            }
        }
    }

    #[test]
    fn context_binding_wins_over_global_then_global_applies() {
        let k = Keymap::default();
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::Scoring, &q), Some(Cmd::Quit));
        let l = ev(KeyCode::Char('l'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::Scoring, &l), Some(Cmd::Inc));
        assert_eq!(k.lookup(Context::List, &l), Some(Cmd::Open));
        assert_eq!(k.lookup(Context::Detail, &l), None);
    }

    #[test]
    fn a_partial_override_replaces_only_what_it_names() {
        let mut o = Overrides::new();
        o.entry("list".into())
            .or_default()
            .insert("down".into(), vec!["n".into(), "ctrl-n".into()]);
        o.entry("global".into())
            .or_default()
            .insert("quit".into(), vec!["ctrl-q".into()]);
        let k = Keymap::with_overrides(&o).expect("merge");
        let n = ev(KeyCode::Char('n'), KeyModifiers::NONE);
        let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
        let cn = ev(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(k.lookup(Context::List, &n), Some(Cmd::Down));
        assert_eq!(k.lookup(Context::List, &cn), Some(Cmd::Down));
        assert_eq!(k.lookup(Context::List, &j), None, "replaced, not added");
        // Untouched: the same command elsewhere, and other commands.
        assert_eq!(k.lookup(Context::Detail, &j), Some(Cmd::Down));
        let kk = ev(KeyCode::Char('k'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::List, &kk), Some(Cmd::Up));
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::List, &q), None);
        let cq = ev(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(k.lookup(Context::List, &cq), Some(Cmd::Quit));
        let mut expected = Keymap::default();
        assert_ne!(k, expected);
        expected.merge(&Overrides::new()).expect("empty merge");
        assert_eq!(
            expected,
            Keymap::default(),
            "an empty override changes nothing"
        );
    }

    #[test]
    fn bad_overrides_are_refused_with_their_place() {
        let one = |ctx: &str, cmd: &str, key: &str| {
            let mut o = Overrides::new();
            o.entry(ctx.into())
                .or_default()
                .insert(cmd.into(), vec![key.into()]);
            Keymap::with_overrides(&o).expect_err("refused")
        };
        assert!(one("lst", "down", "j").contains("keys.lst"));
        assert!(one("list", "inc", "j").contains("keys.list.inc"));
        assert!(one("list", "down", "hyper-j").contains("hyper-j"));
        let dup = one("list", "down", "k");
        assert!(dup.contains("bound to both"), "{dup}");
    }

    #[test]
    fn replay_contexts_fall_back_to_replay_not_to_the_expert_screens() {
        let k = Keymap::default();
        let e = ev(KeyCode::Char('e'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::List, &e), Some(Cmd::Export));
        assert_eq!(k.lookup(Context::Timeline, &e), None);
        let left = ev(KeyCode::Left, KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::Sheet, &left), Some(Cmd::Earlier));
        assert_eq!(k.lookup(Context::Timeline, &left), Some(Cmd::Earlier));
        let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::Timeline, &j), Some(Cmd::Down));
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(k.lookup(Context::Sheet, &q), Some(Cmd::Quit));
        assert_eq!(
            k.first(Context::Sheet, Cmd::Filter).map(|k| k.to_string()),
            Some("/".into())
        );
    }

    #[test]
    fn paging_in_the_scoring_panel_is_never_a_step() {
        let k = Keymap::default();
        for code in [KeyCode::PageUp, KeyCode::PageDown] {
            let c = k.lookup(Context::Scoring, &ev(code, KeyModifiers::NONE));
            assert!(
                matches!(c, Some(Cmd::PageUp | Cmd::PageDown)),
                "{code:?}: {c:?}"
            );
        }
        for (c, cmd) in [('g', Cmd::Top), ('G', Cmd::Bottom)] {
            assert_eq!(
                k.lookup(Context::Scoring, &ev(KeyCode::Char(c), KeyModifiers::NONE)),
                Some(cmd)
            );
        }
        let large: Vec<String> = k
            .keys(Context::Scoring, Cmd::IncLarge)
            .iter()
            .chain(k.keys(Context::Scoring, Cmd::DecLarge))
            .map(|k| k.to_string())
            .collect();
        assert_eq!(large, ["L", "Shift-→", "H", "Shift-←"]);
    }

    #[test]
    fn defaults_have_no_clash() {
        Keymap::default().check().expect("clean defaults");
        for c in Cmd::ALL {
            let bound = Context::ALL
                .iter()
                .any(|ctx| !Keymap::default().keys(*ctx, *c).is_empty());
            assert!(bound, "{c:?} has a default key");
        }
    }
}
