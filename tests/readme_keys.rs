//! README.md's key tables are the keymap: every context's table lists each
//! of its commands once with exactly its default keys, in the order of the
//! defaults, and the comment editor's table lists the keys the editor's
//! help lists. A key added, moved or removed in one place and not the
//! other fails here.

mod common;

use std::collections::BTreeMap;

use panelist::support::lang::Lang;
use panelist::tui::action::Context;
use panelist::tui::expert::strings::ScoringStrings;
use panelist::tui::keymap::Keymap;

/// A README table: the context it is headed with (`None` for the comment
/// editor) and its rows, each cell as written.
struct Table {
    line: usize,
    rows: Vec<Vec<String>>,
}

/// The words between backticks in `cell`, in order.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, w)| w.to_string())
        .collect()
}

/// The key tables of README.md: a table under a line naming
/// `` (`[keys.NAME]`) `` belongs to that context; the one under
/// `**In the comment editor**` to the editor.
fn tables() -> (BTreeMap<String, Table>, Option<Table>) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let mut keymap: BTreeMap<String, Table> = BTreeMap::new();
    let mut editor: Option<Table> = None;
    // Where the rows of the table being read go.
    enum Into {
        Nothing,
        Context(String),
        Editor,
    }
    let mut into = Into::Nothing;
    for (n, line) in text.lines().enumerate() {
        if let Some(rest) = line.split("(`[keys.").nth(1) {
            let name = rest.split(']').next().unwrap_or("").to_string();
            assert!(
                !keymap.contains_key(&name),
                "README.md:{}: a second table for [keys.{name}]",
                n + 1
            );
            keymap.insert(
                name.clone(),
                Table {
                    line: n + 1,
                    rows: Vec::new(),
                },
            );
            into = Into::Context(name);
            continue;
        }
        if line.starts_with("**In the comment editor**") {
            editor = Some(Table {
                line: n + 1,
                rows: Vec::new(),
            });
            into = Into::Editor;
            continue;
        }
        let row = line.starts_with("| `");
        if !row && !line.starts_with('|') && !line.trim().is_empty() {
            into = Into::Nothing;
            continue;
        }
        if !row {
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_string())
            .collect();
        match &into {
            Into::Context(name) => keymap.get_mut(name).expect("table").rows.push(cells),
            Into::Editor => editor.as_mut().expect("table").rows.push(cells),
            Into::Nothing => {}
        }
    }
    (keymap, editor)
}

#[test]
fn every_context_table_is_the_keymap() {
    let (tables, _) = tables();
    let km = Keymap::default();
    let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
    let found: Vec<&str> = tables.keys().map(String::as_str).collect();
    let mut want = names.clone();
    want.sort();
    assert_eq!(found, want, "a README key table per context");
    for ctx in Context::ALL {
        let t = &tables[ctx.name()];
        let readme: Vec<(String, Vec<String>)> = t
            .rows
            .iter()
            .map(|cells| {
                assert!(
                    cells.len() >= 3,
                    "README.md, the [keys.{}] table (line {}): a row needs keys, command and what: {cells:?}",
                    ctx.name(),
                    t.line
                );
                let cmd = ticked(&cells[1]);
                assert_eq!(
                    cmd.len(),
                    1,
                    "README.md, the [keys.{}] table (line {}): one command per row: {cells:?}",
                    ctx.name(),
                    t.line
                );
                (cmd[0].clone(), ticked(&cells[0]))
            })
            .collect();
        let keymap: Vec<(String, Vec<String>)> = km
            .bindings(ctx)
            .iter()
            .map(|(c, keys)| (c.name(), keys.iter().map(|k| k.to_string()).collect()))
            .collect();
        assert_eq!(
            readme,
            keymap,
            "README.md's [keys.{}] table (line {}) against src/tui/kit/keymap.rs",
            ctx.name(),
            t.line
        );
    }
}

#[test]
fn the_comment_editor_table_is_the_editor_help() {
    let (_, editor) = tables();
    let t = editor.expect("README.md has a table under **In the comment editor**");
    let readme: Vec<String> = t
        .rows
        .iter()
        .map(|cells| ticked(&cells[0]).join(" "))
        .collect();
    let help: Vec<String> = ScoringStrings::of(Lang::En)
        .comment_keys
        .iter()
        .map(|(k, _)| k.to_string())
        .collect();
    assert_eq!(
        readme, help,
        "README.md's comment editor table (line {}) against the editor's help",
        t.line
    );
    // The Chinese help lists the same keys (the last row names the paste
    // in words).
    let zh = ScoringStrings::of(Lang::Zh).comment_keys;
    assert_eq!(zh.len(), help.len());
    for ((k, _), en) in zh.iter().zip(&help).take(help.len() - 1) {
        assert_eq!(k, en);
    }
}
