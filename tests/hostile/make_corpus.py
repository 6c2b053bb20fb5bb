#!/usr/bin/env python3
"""Regenerates the hostile-input corpus in this folder.

Usage: python3 tests/hostile/make_corpus.py target/debug/panelist
Each file is listed in cases.tsv with the command that reads it and the
fragment its one-line error must contain. Small files only; the tests
build the huge ones at run time.
"""
import json, os, shutil, sqlite3, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
binary = sys.argv[1]
sample = json.load(open(os.path.join(root, "assets/sample/applications.json"), encoding="utf-8"))
csv_text = open(os.path.join(root, "assets/sample/applications.csv"), encoding="utf-8-sig").read()
cases = []

def put(name, data, cmd, expect):
    path = os.path.join(here, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": ""})) as f:
        f.write(data)
    cases.append((name, cmd, expect))

def app_json(mutate):
    doc = json.loads(json.dumps(sample))
    mutate(doc)
    return json.dumps(doc, ensure_ascii=False)

# --- bundles -----------------------------------------------------------
tmp = tempfile.mkdtemp()
base = os.path.join(tmp, "base.bundle")
env = dict(os.environ, PANELIST_HOME=tmp, PANELIST_NOW="2024-03-01T09:00:00Z")
subprocess.run([binary, "bundle", "new", os.path.join(root, "assets/sample/applications.json"), "-o", base], check=True, env=env, capture_output=True)
raw = open(base, "rb").read()

def variant(name, sql, expect):
    p = os.path.join(tmp, name)
    shutil.copy(base, p)
    c = sqlite3.connect(p)
    c.executescript(sql)
    c.commit(); c.close()
    put(name, open(p, "rb").read(), "info", expect)

put("text.bundle", b"This is a note, not a bundle.\n" * 10, "info", "not an SQLite database")
put("empty.bundle", b"", "info", "empty")
put("tiny.bundle", b"SQLite format 3\x00", "info", "truncated")
put("truncated-half.bundle", raw[: len(raw) // 2], "info", "truncated")
put("truncated-one-page.bundle", raw[: 4096], "info", "truncated")
corrupt = bytearray(raw)
for i in range(4096 * 2, min(len(raw), 4096 * 2 + 2048)):
    corrupt[i] = 0xA5
put("corrupted-pages.bundle", bytes(corrupt), "info", "damaged bundle")
hdr = bytearray(raw); hdr[16:18] = b"\x00\x03"
put("bad-page-size.bundle", bytes(hdr), "info", "bundle")
other = os.path.join(tmp, "other.sqlite")
c = sqlite3.connect(other); c.execute("create table notes(x)"); c.commit(); c.close()
put("other-program.sqlite", open(other, "rb").read(), "info", "another program")
variant("future-schema.bundle", "PRAGMA user_version=99;", "newer panelist")
variant("zero-schema.bundle", "PRAGMA user_version=0;", "schema version 0")
variant("missing-meta.bundle", "DELETE FROM meta WHERE key='digest';", "meta 'digest' is missing")
variant("bad-catalog.bundle", "UPDATE meta SET value='{not json' WHERE key='catalog';", "catalog")
variant("bad-rubric.bundle", "UPDATE meta SET value='[]' WHERE key='rubric';", "rubric")
variant("dropped-table.bundle", "DROP TABLE units;", "units")
shutil.rmtree(tmp)

# --- application JSON --------------------------------------------------
new = "new"
put("apps-dup-key.json", '{"call": "2023", "call": "2022", "applications": []}', new, 'duplicate key "call"')
put("apps-deep.json", "[" * 5000 + "]" * 5000, new, "recursion limit")
put("apps-huge-number.json", app_json(lambda d: d["applications"][0].update(priority=10**30)), new, "priority")
put("apps-float-priority.json", app_json(lambda d: d["applications"][0].update(priority=1.5)), new, "priority")
put("apps-title-number.json", app_json(lambda d: d["applications"][0].update(title=5)), new, "invalid type")
put("apps-missing-title.json", app_json(lambda d: d["applications"][0].pop("title")), new, "missing field `title`")
put("apps-missing-lead.json", app_json(lambda d: d["applications"][1].pop("lead_unit")), new, "missing field `lead_unit`")
put("apps-unknown-field.json", app_json(lambda d: d["applications"][0].update(budget=100)), new, "unknown field `budget`")
put("apps-invalid-utf8.json", b'{"applications": [{"id": "A", "title": "\xff\xfe"}]}', new, "not UTF-8")
put("apps-empty.json", b"", new, "EOF")
put("apps-string.json", '"applications"', new, "expected an object")
put("apps-nul.json", app_json(lambda d: d["applications"][0].update(title="标题\u0000隐藏")), new, "NUL")
put("apps-direction-object.json", app_json(lambda d: d["applications"][0].update(direction={"code": 1})), new, "direction must be a code or a name")
put("apps-unknown-direction.json", app_json(lambda d: d["applications"][0].update(direction="量子安全")), new, "unknown direction")
put("apps-no-direction.json", app_json(lambda d: d["applications"][0].pop("direction")), new, "no direction")
put("apps-id-space.json", app_json(lambda d: d["applications"][0].update(id="2023 BJ 1")), new, "id must be")
put("apps-dup-id.json", app_json(lambda d: d["applications"][1].update(id=d["applications"][0]["id"])), new, "appears twice")
put("apps-empty-list.json", '{"applications": []}', new, "no applications")
put("apps-wrong-call.json", app_json(lambda d: d.update(call="2022")), "new-2023", "for the 2022 call")
put("apps-negative-priority.json", app_json(lambda d: d["applications"][0].update(priority=-1)), new, "priority")
put("apps-bool-string.json", app_json(lambda d: d["applications"][0].update(built="yes")), new, "invalid type")
put("apps-joint-not-list.json", app_json(lambda d: d["applications"][0].update(joint_units={"name": "x"})), new, "joint_units")
put("apps-truncated.json", app_json(lambda d: None)[:300], new, "EOF")

# --- CSV ---------------------------------------------------------------
header, rest = csv_text.split("\n", 1)
put("csv-missing-columns.csv", "id,title,direction\nA-1,标题,1\n", new, "missing columns")
put("csv-wrong-columns.csv", header.replace("lead_name", "leader") + "\n" + rest, new, "lead_name")
put("csv-nul.csv", (header + "\n" + rest).replace("，", "\u0000", 1).encode("utf-8"), new, "NUL")
put("csv-bad-encoding.csv", b"id,title\n\x81\x20\xff\xfe\n", new, "GB18030")
put("csv-bad-bool.csv", header + "\n" + rest.replace(",否,否,是", ",否,否,也许", 1), new, "must be 是/否")
put("csv-bad-priority.csv", header + "\n" + rest.replace(",1,", ",第一,", 1), new, "priority")
put("csv-ragged.csv", header + "\nA-1,只有两列\n", new, "row 2")
put("csv-header-only.csv", header + "\n", new, "no applications")
put("csv-unknown-direction.csv", header + "\n" + rest.replace(",4,", ",99,", 1), new, "unknown direction")
put("csv-utf16.csv", ("\ufeff" + csv_text).encode("utf-16-le"), new, "GB18030")

# --- rosters (read with bundle new --roster) -----------------------------
roster = "roster"
put("roster-dup-id.json", '[{"id":"E01","name":"甲","org":"A"},{"id":"E01","name":"乙","org":"B"}]', roster, "appears twice")
put("roster-object.json", '{"id":"E01","name":"甲","org":"A"}', roster, "JSON array")
put("roster-bad-id.json", '[{"id":"E 01;rm","name":"甲","org":"A"}]', roster, "expert id")
put("roster-no-name.json", '[{"id":"E01","name":" ","org":"A"}]', roster, "has no name")
put("roster-unknown-field.json", '[{"id":"E01","name":"甲","org":"A","password":"x"}]', roster, "unknown field `password`")
put("roster-dup-key.json", '[{"id":"E01","id":"E02","name":"甲","org":"A"}]', roster, 'duplicate key "id"')
put("roster-invalid-utf8.json", b'[{"id":"E01","name":"\xc3\x28","org":"A"}]', roster, "not UTF-8")

# --- catalogs and rubrics (bundle new --catalog / --rubric) --------------
put("catalog-syntax.toml", 'call = "2023"\nnotice = \n', "catalog", "line 2")
put("catalog-dup-code.toml", open(os.path.join(root, "assets/catalogs/2023.toml"), encoding="utf-8").read().replace("code = 2\n", "code = 1\n", 1), "catalog", "appears twice")
put("catalog-empty.json", '{"call":"x","notice":"n","title_zh":"t","title_en":"t","max_per_authority":5,"max_high_end_per_authority":2,"directions":[]}', "catalog", "no directions")
put("rubric-step-zero.toml", open(os.path.join(root, "assets/rubric/default.toml"), encoding="utf-8").read().replace("step = 1", "step = 0", 1), "rubric", "empty scale")
put("rubric-no-criteria.json", '{"name_zh":"x","name_en":"x","min_comment_chars":0,"criteria":[]}', "rubric", "no criteria")

with open(os.path.join(here, "cases.tsv"), "w", encoding="utf-8") as f:
    f.write("# file\tcommand\texpected fragment of the one-line error\n")
    for name, cmd, expect in cases:
        f.write(f"{name}\t{cmd}\t{expect}\n")
print(len(cases), "cases")
