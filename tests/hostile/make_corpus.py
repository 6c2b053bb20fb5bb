#!/usr/bin/env python3
"""Regenerates the hostile-input corpus in this folder.

Usage: python3 tests/hostile/make_corpus.py target/debug/panelist
Each file is listed in cases.tsv with the command that reads it and the
fragment its one-line error must contain. Small files only; the tests
build the huge ones at run time.
"""
import base64, hashlib, json, os, shutil, sqlite3, subprocess, sys, tempfile

import rfc8785

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
put("roster-array-entry.json", '[["E01","甲","A"]]', roster, "[0]: an array where the format has an object")

# --- catalogs and rubrics (bundle new --catalog / --rubric) --------------
put("catalog-syntax.toml", 'call = "2023"\nnotice = \n', "catalog", "line 2")
put("catalog-dup-code.toml", open(os.path.join(root, "assets/catalogs/2023.toml"), encoding="utf-8").read().replace("code = 2\n", "code = 1\n", 1), "catalog", "appears twice")
put("catalog-empty.json", '{"call":"x","notice":"n","title_zh":"t","title_en":"t","max_per_authority":5,"max_high_end_per_authority":2,"directions":[]}', "catalog", "no directions")
put("rubric-step-zero.toml", open(os.path.join(root, "assets/rubric/default.toml"), encoding="utf-8").read().replace("step = 1", "step = 0", 1), "rubric", "empty scale")
put("rubric-no-criteria.json", '{"name_zh":"x","name_en":"x","min_comment_chars":0,"criteria":[]}', "rubric", "no criteria")

# --- signed exports, verify rosters and key files -------------------------
# One expert key (sealed under PASSPHRASE with a cheap KDF), a finished
# working copy of the sample and its export: export-good.json verifies
# against export-roster.json; every other file here is one of them spoiled.
PASSPHRASE = "hostile corpus passphrase"
tmp = tempfile.mkdtemp()
passfile = os.path.join(tmp, "pass.txt")
open(passfile, "w").write(PASSPHRASE + "\n")
kenv = dict(env, PANELIST_HOME=tmp, PANELIST_PASSPHRASE_FILE=passfile, PANELIST_KDF_PARAMS="m=256,t=1,p=1", PANELIST_LANG="en")

def pl(*args, envv=None):
    return subprocess.run([binary, *args], check=True, env=envv or kenv, capture_output=True, text=True).stdout

pl("key", "new", "--id", "E01", "--name", "语料专家", "--org", "测试研究院")
roster_entry = json.loads(pl("key", "show", "--roster-entry"))
key_text = open(os.path.join(tmp, "data/keys/E01.key"), encoding="utf-8").read()
wc = os.path.join(tmp, "wc.bundle")
pl("bundle", "new", os.path.join(root, "assets/sample/applications.json"), "-o", wc)
app_ids = [a["id"] for a in sample["applications"]]
for i, a in enumerate(app_ids[:-1]):
    pl("score", wc, a, "--innovation", str(15 + i), "--advancement", "18", "--practicality", "20",
       "--replicability", "17", "--comment", "平台运行稳定，检测能力成熟，具备在同行业推广的条件，建议入选。", "--recommend", "yes")
pl("recuse", wc, app_ids[-1], "--reason", "本人曾为该申报单位提供咨询服务")
good_path = os.path.join(tmp, "good.json")
# The export is made later than the scoring (each run's test clock starts
# at PANELIST_NOW): no event may be newer than the file's `created`.
pl("export", wc, "-o", good_path, envv=dict(kenv, PANELIST_NOW="2024-03-01T10:00:00Z"))
good_text = open(good_path, encoding="utf-8").read()
good = json.loads(good_text)
# A second key: its public key, and the same identity sealed under another passphrase.
other_pass = os.path.join(tmp, "other.txt")
open(other_pass, "w").write("a different passphrase\n")
tmp2 = tempfile.mkdtemp()
pl("key", "new", "--id", "E01", "--name", "语料专家", "--org", "测试研究院",
   envv=dict(kenv, PANELIST_HOME=tmp2, PANELIST_PASSPHRASE_FILE=other_pass))
other_key_text = open(os.path.join(tmp2, "data/keys/E01.key"), encoding="utf-8").read()
other_entry = json.loads(pl("key", "show", "--roster-entry", envv=dict(kenv, PANELIST_HOME=tmp2)))
shutil.rmtree(tmp); shutil.rmtree(tmp2)

def fixture(name, data):
    with open(os.path.join(here, name), "w", encoding="utf-8", newline="") as f:
        f.write(data)

fixture("export-good.json", good_text)
fixture("export-roster.json", json.dumps([roster_entry], ensure_ascii=False, indent=2) + "\n")
fixture("key-passphrase.txt", PASSPHRASE + "\n")

good_payload_text = base64.b64decode(good["payload"]).decode("utf-8")

def encode_payload(p):
    # Canonical (RFC 8785), as every scores payload must be; a payload
    # with a number JCS does not hold (a fraction, 2^53 or more) is
    # written as close to it as JSON goes, the number as Python writes it.
    def odd(o):
        if isinstance(o, float):
            return True
        if isinstance(o, int) and not isinstance(o, bool):
            return abs(o) > 2**53 - 1
        if isinstance(o, dict):
            return any(odd(x) for x in o.values())
        if isinstance(o, list):
            return any(odd(x) for x in o)
        return False
    if odd(p):
        body = json.dumps(p, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    else:
        body = rfc8785.dumps(p)
    return base64.b64encode(body).decode()

def export(mutate):
    # The payload travels as the base64 of its bytes (DSSE): the mutation
    # sees it decoded, and it is encoded again only if it changed.
    doc = json.loads(good_text)
    doc["payload"] = json.loads(good_payload_text)
    mutate(doc)
    if json.dumps(doc["payload"], sort_keys=True) == json.dumps(json.loads(good_payload_text), sort_keys=True):
        doc["payload"] = good["payload"]
    else:
        doc["payload"] = encode_payload(doc["payload"])
    return json.dumps(doc, ensure_ascii=False, indent=2)

def raw_payload(old, new, encoding="utf-8", errors="strict"):
    # A text edit of the payload's bytes (JCS: no spaces), not signed again.
    assert old in good_payload_text, old
    body = good_payload_text.replace(old, new, 1).encode(encoding, errors)
    doc = json.loads(good_text)
    doc["payload"] = base64.b64encode(body).decode()
    return json.dumps(doc, ensure_ascii=False, indent=2)

def setp(path, value):
    def m(doc):
        d = doc
        for k in path[:-1]:
            d = d[k]
        d[path[-1]] = value
    return m

def popp(path):
    def m(doc):
        d = doc
        for k in path[:-1]:
            d = d[k]
        del d[path[-1]]
    return m

v = "verify"
good_sig = good["signatures"][0]["sig"]
put("export-dup-key.json", raw_payload('"partial":false,', '"partial":false,"partial":true,'), v, 'duplicate key "partial"')
put("export-dup-key-envelope.json", good_text.replace('"payloadType"', '"payloadType": "x",\n  "payloadType"', 1), v, 'duplicate key "payloadType"')
put("export-deep.json", raw_payload('"partial":false,', '"partial":' + "[" * 3000 + "]" * 3000 + ","), v, "recursion limit exceeded")
put("export-huge-number.json", export(setp(["payload", "head", "size"], 2**53)), v, "$.head.size = 9007199254740992 is not an integer below 2^53")
put("export-huge-negative.json", export(setp(["payload", "rubric", "criteria", 0, "min"], -2**60)), v, "is not an integer below 2^53")
put("export-number-overflow.json", raw_payload('"partial":false,', '"partial":1e400,'), v, "number out of range")
put("export-float-score.json", export(lambda d: d["payload"]["applications"][0]["scores"].update(innovation=15.0)), v, "$.applications[0].scores.innovation = 15.0 is not an integer below 2^53")
put("export-float-value.json", export(lambda d: d["payload"]["history"][0].update(value=1.5)), v, "$.history[0].value = 1.5")
put("export-not-canonical.json", raw_payload('"partial":false,', '"partial": false,'), v, "not written in canonical form")
put("export-escape-not-canonical.json", raw_payload('"format":"panelist.', '"format":"panelist\\u002e'), v, "not written in canonical form")
put("export-event-seq.json", export(lambda d: d["payload"]["history"][0].update(seq=1)), v, "unknown field `seq`")
put("export-wrong-type.json", export(setp(["payload", "partial"], "false")), v, "payload: partial: invalid type: string \"false\", expected a boolean")
put("export-wrong-type-apps.json", export(setp(["payload", "applications"], {"id": "x"})), v, "payload: applications: invalid type: map, expected a sequence")
put("export-missing-field.json", export(popp(["payload", "head"])), v, "payload: missing field `head`")
put("export-missing-expert-id.json", export(popp(["payload", "expert", "id"])), v, "payload: expert: missing field `id`")
put("export-sig-short.json", export(setp(["signatures", 0, "sig"], base64.b64encode(base64.b64decode(good_sig)[:63]).decode())), v, "the signature is not 64 bytes")
put("export-sig-long.json", export(setp(["signatures", 0, "sig"], base64.b64encode(base64.b64decode(good_sig) + b"\0").decode())), v, "the signature is not 64 bytes")
put("export-sig-garbage.json", export(setp(["signatures", 0, "sig"], "!!not*base64~~")), v, "signature 1: sig is not base64")
put("export-sig-not-string.json", export(setp(["signatures", 0, "sig"], 12345)), v, "invalid type: integer `12345`, expected a string")
put("export-sig-flipped.json", export(setp(["signatures", 0, "sig"], base64.b64encode(bytes([base64.b64decode(good_sig)[0] ^ 1]) + base64.b64decode(good_sig)[1:]).decode())), v, "does not verify")
put("export-no-signatures.json", export(setp(["signatures"], [])), v, "no signatures")
put("export-two-signatures.json", export(lambda d: d["signatures"].append(dict(d["signatures"][0]))), v, "exactly one signature, this one has 2")
put("export-keyid-other.json", export(setp(["signatures", 0, "keyid"], "0" * 64)), v, "signed with key 0000000000000000, which is not expert E01's key")
put("export-unknown-type.json", export(setp(["payloadType"], "application/x-evil")), v, "unknown payloadType 'application/x-evil'")
put("export-escape-type.json", export(setp(["payloadType"], "\u001b]0;owned\u0007\u001b[2J\u202e")), v, "unknown payloadType '␛]0;owned␇␛[2J<U+202E>'")
put("export-payload-array.json", export(setp(["payload"], [1, 2])), v, "payload is not a JSON object")
put("export-payload-string.json", export(setp(["payload"], "scores")), v, "payload is not a JSON object")
put("export-not-object.json", "[]", v, "not a signed panelist file: the file is not a JSON object")
put("export-array-signature.json", export(setp(["signatures", 0], [good["signatures"][0]["keyid"], good_sig])), v, "not a signed panelist file: signatures[0]: an array where the format has an object")
put("export-array-bundle.json", export(setp(["payload", "bundle"], list(json.loads(good_payload_text)["bundle"].values()))), v, "payload: bundle: an array where the format has an object")
put("export-missing-total.json", export(lambda d: d["payload"]["applications"][0].pop("total")), v, "payload: applications[0]: missing field `total`")
put("export-missing-score-value.json", export(lambda d: d["payload"]["history"][0].pop("value")), v, "payload: history[0]: missing field `value`")
put("export-empty.json", "", v, "not a signed panelist file: the file is empty")
put("export-unknown-field.json", export(lambda d: d.update(comment="x")), v, "unknown field `comment`")
put("export-expert-unknown.json", export(setp(["payload", "expert", "id"], "E99")), v, "expert E99 is not in the roster")
put("export-tampered-score.json", export(lambda d: d["payload"]["applications"][0]["scores"].update(innovation=25)), v, "does not verify (payload or signature altered)")
put("export-nul-raw.json", raw_payload("平台运行稳定", "平台\u0000运行稳定"), v, "control character")
put("export-nul-escaped.json", export(lambda d: d["payload"]["applications"][0].update(comment="平台\u0000运行稳定")), v, "does not verify")
put("export-nul-outside.json", good_text.replace("{", "{\u0000", 1).encode("utf-8"), v, "not a signed panelist file")
put("export-invalid-utf8.json", good_text.replace('"payloadType": "', '"payloadType": "\udcff', 1).encode("utf-8", "surrogateescape"), "verify-error", "not UTF-8 (byte")
put("export-payload-invalid-utf8.json", raw_payload("平台运行稳定", "\udcff", errors="surrogateescape"), v, "payload is not UTF-8 (byte")
put("export-payload-not-base64.json", json.dumps(dict(good, payload="{not base64}"), ensure_ascii=False, indent=2), v, "payload is not base64")
put("export-payload-json.json", good_text.replace('"payload": "' + good["payload"] + '"', '"payload": ' + good_payload_text, 1), v, "payload: invalid type: map, expected a string")

vr = "verify-roster"
def roster_with(**kw):
    e = dict(roster_entry)
    for k, val in kw.items():
        if val is None:
            e.pop(k, None)
        else:
            e[k] = val
    return json.dumps([e], ensure_ascii=False)
put("vroster-dup-id.json", json.dumps([roster_entry, dict(other_entry, name="另一人")], ensure_ascii=False), vr, "expert id 'E01' appears twice")
put("vroster-bad-hex.json", roster_with(public_key="zz" + roster_entry["public_key"][2:]), vr, "roster entry E01: public_key is not hex")
put("vroster-odd-hex.json", roster_with(public_key=roster_entry["public_key"][:-1]), vr, "roster entry E01: public_key is not hex")
put("vroster-short-key.json", roster_with(public_key=roster_entry["public_key"][:-2]), vr, "an ed25519 public key is 32 bytes, this one is 31")
put("vroster-keyid-mismatch.json", roster_with(key_id=other_entry["key_id"]), vr, "roster entry E01: key_id is not the SHA-256 of its public_key")
put("vroster-unknown-alg.json", roster_with(alg="rsa"), vr, "roster entry E01: unknown alg 'rsa' (ed25519 or sm2)")
put("vroster-no-keyid.json", roster_with(key_id=None), vr, "roster entry E01 has no public key")
put("vroster-sm2id-on-ed25519.json", roster_with(sm2_id="1234567812345678"), vr, "sm2_id on an ed25519 key")
put("vroster-shared-key.json", json.dumps([roster_entry, dict(roster_entry, id="E02")], ensure_ascii=False), vr, "roster entries E01 and E02 share key")
put("vroster-sm2-wrong-point.json", roster_with(alg="sm2", public_key="04" + "11" * 64, key_id=hashlib.sha256(bytes.fromhex("04" + "11" * 64)).hexdigest()), vr, "not a point of the SM2 curve")

k = "key"
def key_with(**kw):
    d = json.loads(key_text)
    for kk, val in kw.items():
        if val is None:
            d.pop(kk, None)
        else:
            d[kk] = val
    return json.dumps(d, ensure_ascii=False, indent=2) + "\n"
kd = json.loads(key_text)
pk = kd["public_key"]
put("key-wrong-passphrase.key", other_key_text, k, "wrong passphrase for key E01 (or the key file was altered)")
put("key-truncated.key", key_text[: len(key_text) // 2], k, "not a panelist key file: EOF while parsing")
put("key-garbage.key", b"\x00\x01PNL\xff\xfe" * 40, k, "not a panelist key file: not UTF-8 (byte 5)")
put("key-array.key", json.dumps(list(json.loads(key_text).values()), ensure_ascii=False), k, "not a panelist key file: not a JSON object")
put("key-damaged-sealed.key", key_with(sealed=("0" if kd["sealed"][0] != "0" else "1") + kd["sealed"][1:]), k, "wrong passphrase for key E01 (or the key file was altered)")
put("key-sealed-short.key", key_with(sealed=kd["sealed"][:-2]), k, "sealed is not 48 bytes of hex")
put("key-edited-public.key", key_with(public_key=other_entry["public_key"]), k, "key_id is not the SHA-256 of public_key")
put("key-swapped-public.key", key_with(public_key=other_entry["public_key"], key_id=other_entry["key_id"]), k, "wrong passphrase for key E01 (or the key file was altered)")
put("key-edited-name.key", key_with(name="别的专家"), k, "wrong passphrase for key E01 (or the key file was altered)")
put("key-format-v2.key", key_with(format="panelist.key.v2"), k, "format 'panelist.key.v2', expected 'panelist.key.v1'")
put("key-unknown-alg.key", key_with(alg="rsa"), k, "unknown alg 'rsa'")
put("key-huge-kdf.key", key_with(kdf=dict(kd["kdf"], m_kib=2**31)), k, "kdf m_kib = 2147483648 is outside")
put("key-kdf-version.key", key_with(kdf=dict(kd["kdf"], version=16)), k, "only argon2id version 19")
put("key-cipher.key", key_with(cipher=dict(kd["cipher"], alg="aes-gcm")), k, "cipher aes-gcm (only xchacha20poly1305)")
put("key-dup-field.key", key_text.replace('"alg": "ed25519",', '"alg": "ed25519", "alg": "sm2",', 1), k, 'duplicate key "alg"')
put("key-float-cost.key", key_text.replace('"t": 1,', '"t": 1.0,', 1), k, "invalid type: floating point")
put("key-nul.key", key_text.replace("语料专家", "语料\u0000专家", 1).encode("utf-8"), k, "control character")
put("key-group-readable.key", key_text, "key-0640", "key file is accessible by group or others (mode 0640)")
put("key-world-readable.key", key_text, "key-0604", "key file is accessible by group or others (mode 0604)")

# --- times and invisible characters -------------------------------------
# Unsigned edits of a good file: the closed reading and the signature catch
# them before the payload's own time checks (tests/verdicts.rs re-signs the
# same edits with the corpus key to reach those checks).
def ev_time(i, t):
    return lambda d: d["payload"]["history"][i].update(time=t)
put("export-time-offset.json", export(ev_time(1, "2024-03-01T17:00:01.000+08:00")), v, "does not verify")
put("export-time-zero.json", export(ev_time(0, "0")), v, "does not verify")
put("export-created-no-millis.json", export(setp(["payload", "created"], "2024-03-01T10:00:00Z")), v, "does not verify")
put("export-time-number.json", export(ev_time(0, 1709283600000)), v, "history[0]: 'time' is not a string")
put("export-event-extra-field.json", export(lambda d: d["payload"]["history"][0].update(note="x")), v, "unknown field `note`")
put("export-invisible-app-id.json", export(lambda d: d["payload"]["applications"][0].update(id=d["payload"]["applications"][0]["id"] + "\u2060")), v, "does not verify")
put("apps-id-word-joiner.json", app_json(lambda d: d["applications"][0].update(id=d["applications"][0]["id"] + "\u2060")), new, "invisible characters")
put("apps-id-soft-hyphen.json", app_json(lambda d: d["applications"][0].update(id="T-\u00ad" + d["applications"][0]["id"])), new, "invisible characters")
put("apps-id-tag.json", app_json(lambda d: d["applications"][0].update(id=d["applications"][0]["id"] + "\U000E0041")), new, "invisible characters")
put("apps-id-private-use.json", app_json(lambda d: d["applications"][0].update(id=d["applications"][0]["id"] + "\ue000")), new, "invisible characters")

with open(os.path.join(here, "cases.tsv"), "w", encoding="utf-8") as f:
    f.write("# file\tcommand\texpected fragment of the one-line error\n")
    for name, cmd, expect in cases:
        f.write(f"{name}\t{cmd}\t{expect}\n")
print(len(cases), "cases")
