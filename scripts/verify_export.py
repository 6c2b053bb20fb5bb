#!/usr/bin/env python3
"""Independent verifier for panelist signed score files.

Written from docs/formats.md alone, so that a ministry or an auditor
can check an expert's file without panelist. For each FILE it checks:

  1. the DSSE envelope's shape, strict JSON (duplicate keys, non-integer
     numbers refused) in the envelope and in the payload, which is the
     base64 of the signed bytes (UTF-8 JSON);
  2. the signature: algorithm, public key and SM2 ID come from the roster
     entry of the payload's expert, never from the file; signed bytes are
     PAE(payloadType, payload bytes) as DSSE v1 defines it, over the
     decoded bytes as they are;
  3. that the payload bytes are canonical (RFC 8785), and the hash chain
     of the history, each event's body hashed after the one before, from
     the genesis hash to the log head;
  4. the replay: the history, replayed under the payload's rubric, yields
     exactly the exported per-application results.

Usage:  python3 scripts/verify_export.py FILE... --roster ROSTER.json
Prints "OK  FILE  ..." or "BAD FILE  reason" per file; exit 0 if all are
good, 1 if any is bad, 2 on an error (unreadable roster, missing packages).

Packages: pip install -r scripts/requirements-verify.txt
"""

import argparse
import base64
import hashlib
import json
import re
import sys
import unicodedata
from datetime import datetime, timedelta, timezone

try:
    import rfc8785
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from gmssl import func, sm2, sm3
except ImportError as e:  # pragma: no cover - the message is the point
    print(
        f"verify_export.py: missing Python package ({e.name}): "
        "run pip install -r scripts/requirements-verify.txt",
        file=sys.stderr,
    )
    sys.exit(2)

SCORES_TYPE = "application/vnd.panelist.scores+json;version=3"
PAYLOAD_FORMAT = "panelist.scores.v3"
GENESIS_TAG = b"panelist.genesis.v1\n"
EVENT_TAG = b"panelist.event.v1\n"
DEFAULT_SM2_ID = "1234567812345678"
MAX_SAFE = 2**53 - 1
MAX_TEXT_CHARS = 20000

# GM/T 0003.5 recommended curve parameters (sm2p256v1).
SM2_CURVE = {
    "p": "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF",
    "a": "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC",
    "b": "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93",
    "n": "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123",
    "gx": "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7",
    "gy": "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0",
}


class Bad(Exception):
    """The file is not valid; the message says why."""


# ---------------------------------------------------------------------------
# Times (section 1): exactly YYYY-MM-DDTHH:MM:SS.mmmZ, a real UTC instant.

TIME_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_time(s):
    """Milliseconds since 1970 of a time written as the format requires, else None."""
    if not isinstance(s, str) or not TIME_FORM.fullmatch(s):
        return None
    try:
        t = datetime(
            int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]), int(s[14:16]),
            int(s[17:19]), int(s[20:23]) * 1000, tzinfo=timezone.utc,
        )
    except ValueError:
        return None
    return (t - EPOCH) // timedelta(milliseconds=1)


def t_time(v, path):
    t = parse_time(v)
    if t is None:
        raise Bad(f"{path} {v!r} is not written YYYY-MM-DDTHH:MM:SS.mmmZ (UTC, milliseconds)")
    return t


# ---------------------------------------------------------------------------
# Characters (section 1): white space, controls, invisible characters.

# Unicode's White_Space property (what the comment minimum and a recusal's
# reason leave out); Python's str.isspace differs from it.
WHITE_SPACE = frozenset(
    [*map(chr, range(0x09, 0x0E)), " ", "\x85", "\xa0", "\u1680",
     *map(chr, range(0x2000, 0x200B)), "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
)
# Default-ignorable characters that are not of category Cf, and the Cf
# characters of Unicode 16.0 that older Python tables lack.
INVISIBLE_EXTRA = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x3164, 0x3164), (0xFFA0, 0xFFA0), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF),
    (0xE0000, 0xE007F), (0x13430, 0x1343F),
)


def is_invisible(ch):
    o = ord(ch)
    return unicodedata.category(ch) == "Cf" or any(a <= o <= b for a, b in INVISIBLE_EXTRA)


def is_control(ch):
    return unicodedata.category(ch) == "Cc"


def visible_chars(s):
    return sum(1 for ch in s if not (ch in WHITE_SPACE or is_control(ch) or is_invisible(ch)))


def strip_white(s):
    a, b = 0, len(s)
    while a < b and s[a] in WHITE_SPACE:
        a += 1
    while b > a and s[b - 1] in WHITE_SPACE:
        b -= 1
    return s[a:b]


def fit_id(s):
    return s != "" and not any(
        ch in WHITE_SPACE or is_control(ch) or is_invisible(ch)
        or unicodedata.category(ch) in ("Co", "Cs")
        for ch in s
    )


# ---------------------------------------------------------------------------
# Shapes: every object closed, every field present and of its type.


def closed(v, path, keys):
    if not isinstance(v, dict):
        raise Bad(f"{path} is not an object")
    for k in keys:
        if k not in v:
            raise Bad(f"{path} lacks the field {k!r}")
    for k in v:
        if k not in keys:
            raise Bad(f"{path} has a field the format does not define: {k!r}")
    return v


def t_str(v, path, pattern=None):
    if not isinstance(v, str):
        raise Bad(f"{path} is not a string")
    if pattern is not None and not pattern.fullmatch(v):
        raise Bad(f"{path} = {v!r} is not of the documented form")
    return v


def t_int(v, path, lo=None, hi=None):
    if isinstance(v, bool) or not isinstance(v, int):
        raise Bad(f"{path} is not an integer")
    if lo is not None and v < lo:
        raise Bad(f"{path} = {v} is below {lo}")
    if hi is not None and v > hi:
        raise Bad(f"{path} = {v} is above {hi}")
    return v


def t_bool(v, path):
    if not isinstance(v, bool):
        raise Bad(f"{path} is not a boolean")
    return v


def t_list(v, path):
    if not isinstance(v, list):
        raise Bad(f"{path} is not an array")
    return v


def t_opt(check, v, path, *args):
    return None if v is None else check(v, path, *args)


U32 = 2**32 - 1


def check_rubric(r, path="rubric"):
    closed(r, path, ("min_comment_chars", "criteria"))
    t_int(r["min_comment_chars"], f"{path}.min_comment_chars", 0, U32)
    crit = t_list(r["criteria"], f"{path}.criteria")
    if not crit:
        raise Bad(f"{path} has no criteria")
    seen = set()
    for i, c in enumerate(crit):
        p = f"{path}.criteria[{i}]"
        closed(c, p, ("key", "name_zh", "name_en", "min", "max", "step", "weight"))
        t_str(c["key"], f"{p}.key", CRITERION_KEY)
        if c["key"] in seen:
            raise Bad(f"{path}: criterion {c['key']!r} appears twice")
        seen.add(c["key"])
        t_str(c["name_zh"], f"{p}.name_zh")
        t_str(c["name_en"], f"{p}.name_en")
        for k in ("min", "max", "step", "weight"):
            t_int(c[k], f"{p}.{k}")
        if not (
            c["min"] <= c["max"]
            and c["step"] >= 1
            and 1 <= c["weight"] <= 1000
            and abs(c["min"]) <= 1_000_000
            and abs(c["max"]) <= 1_000_000
        ):
            raise Bad(f"{path}: criterion {c['key']} breaks the rubric's constraints (3.1)")


CRITERION_KEY = re.compile(r"[a-z_]+")
HEX64 = re.compile(r"[0-9a-f]{64}")

EVENT_FIELDS = {
    "score": ("app", "criterion", "value"),
    "comment": ("app", "text"),
    "recommend": ("app", "value"),
    "recuse": ("app", "reason"),
    "unrecuse": ("app", "reason"),
}


def check_event(ev, path):
    if not isinstance(ev, dict):
        raise Bad(f"{path} is not an object")
    kind = ev.get("type")
    if not isinstance(kind, str) or kind not in EVENT_FIELDS:
        raise Bad(f"{path}.type {kind!r} is not one of {', '.join(EVENT_FIELDS)}")
    own = EVENT_FIELDS[kind]
    closed(ev, path, ("time", "expert", "type") + own)
    for k in ("time", "expert", "app"):
        t_str(ev[k], f"{path}.{k}")
    if kind == "score":
        t_str(ev["criterion"], f"{path}.criterion")
        t_opt(t_int, ev["value"], f"{path}.value")
    elif kind == "recommend":
        t_opt(t_bool, ev["value"], f"{path}.value")
    elif kind == "comment":
        t_str(ev["text"], f"{path}.text")
    else:
        t_str(ev["reason"], f"{path}.reason")


def check_scores_shape(p):
    """Section 3: the fields and types of the whole scores payload."""
    closed(
        p,
        "payload",
        (
            "format", "tool_version", "bundle", "expert", "created", "partial",
            "rubric", "applications", "history", "head",
        ),
    )
    t_str(p["format"], "format")
    t_str(p["tool_version"], "tool_version")
    b = closed(p["bundle"], "bundle", ("id", "digest", "call", "panel"))
    for k in ("id", "digest", "call", "panel"):
        t_str(b[k], f"bundle.{k}")
    x = closed(p["expert"], "expert", ("id", "name", "org", "key_id"))
    for k in ("id", "name", "org", "key_id"):
        t_str(x[k], f"expert.{k}")
    t_str(p["created"], "created")
    t_bool(p["partial"], "partial")
    closed(p["rubric"], "rubric", ("min_comment_chars", "criteria"))
    t_int(p["rubric"]["min_comment_chars"], "rubric.min_comment_chars", 0, U32)
    for i, c in enumerate(t_list(p["rubric"]["criteria"], "rubric.criteria")):
        q = f"rubric.criteria[{i}]"
        closed(c, q, ("key", "name_zh", "name_en", "min", "max", "step", "weight"))
        for k in ("key", "name_zh", "name_en"):
            t_str(c[k], f"{q}.{k}")
        for k in ("min", "max", "step", "weight"):
            t_int(c[k], f"{q}.{k}")
    for i, a in enumerate(t_list(p["applications"], "applications")):
        q = f"applications[{i}]"
        closed(a, q, ("id", "status", "scores", "total", "comment", "recommend", "recuse_reason"))
        t_str(a["id"], f"{q}.id")
        t_str(a["status"], f"{q}.status")
        if not isinstance(a["scores"], dict):
            raise Bad(f"{q}.scores is not an object")
        for k, v in a["scores"].items():
            t_int(v, f"{q}.scores.{k}")
        t_opt(t_int, a["total"], f"{q}.total")
        t_str(a["comment"], f"{q}.comment")
        t_opt(t_bool, a["recommend"], f"{q}.recommend")
        t_opt(t_str, a["recuse_reason"], f"{q}.recuse_reason")
    for i, ev in enumerate(t_list(p["history"], "history")):
        check_event(ev, f"history[{i}]")
    h = closed(p["head"], "head", ("size", "hash"))
    t_int(h["size"], "head.size", 0)
    t_str(h["hash"], "head.hash")


def strict_object(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise Bad(f'duplicate key "{k}"')
        obj[k] = v
    return obj


def no_float(s):
    raise Bad(f"number {s} is not an integer (not JCS-safe)")


def loads_strict(text):
    try:
        return json.loads(
            text,
            object_pairs_hook=strict_object,
            parse_float=no_float,
            parse_constant=no_float,
        )
    except json.JSONDecodeError as e:
        raise Bad(f"not JSON: {e}") from None
    except RecursionError:
        raise Bad("not JSON this verifier can read: nested too deeply") from None


def check_ints(v, path="$"):
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return
    if isinstance(v, int):
        if abs(v) > MAX_SAFE:
            raise Bad(f"{path} = {v} is not an integer below 2^53")
    elif isinstance(v, list):
        for i, x in enumerate(v):
            check_ints(x, f"{path}[{i}]")
    elif isinstance(v, dict):
        for k, x in v.items():
            check_ints(x, f"{path}.{k}")


def open_dsse(text):
    """Section 1: the envelope, read strictly; returns (envelope, the
    payload's bytes, the payload parsed strictly)."""
    env = loads_strict(text)
    if not isinstance(env, dict) or set(env) != {"payloadType", "payload", "signatures"}:
        raise Bad("the envelope must have exactly payloadType, payload, signatures")
    if not isinstance(env["payloadType"], str):
        raise Bad("payloadType is not a string")
    if not isinstance(env["payload"], str):
        raise Bad("payload is not a string (the base64 of the signed bytes)")
    try:
        body = base64.b64decode(env["payload"], validate=True)
    except ValueError:
        raise Bad("payload is not base64") from None
    try:
        payload = loads_strict(body.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise Bad(f"payload is not UTF-8 (byte {e.start} of the decoded payload)") from None
    if not isinstance(payload, dict):
        raise Bad("payload is not a JSON object")
    check_ints(payload)
    return env, body, payload


def pae(payload_type, body):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def sm3_hex(data):
    return sm3.sm3_hash(func.bytes_to_list(data))


def verify_sm2(public_key, sm2_id, msg, sig):
    """SM2 with SM3 (GM/T 0003.2): e = SM3(Z_A || M), signature raw r || s."""
    if len(public_key) != 65 or public_key[0] != 4:
        raise Bad("roster sm2 public key is not 65 bytes 04 || x || y")
    if len(sig) != 64:
        return False
    ident = sm2_id.encode("utf-8")
    c = SM2_CURVE
    z_input = (
        (len(ident) * 8).to_bytes(2, "big")
        + ident
        + bytes.fromhex(c["a"] + c["b"] + c["gx"] + c["gy"])
        + public_key[1:]
    )
    za = bytes.fromhex(sm3_hex(z_input))
    e = bytes.fromhex(sm3_hex(za + msg))
    n = int(c["n"], 16)
    r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
    if not (1 <= r < n and 1 <= s < n):
        return False
    table = {
        "n": c["n"],
        "p": c["p"],
        "g": c["gx"] + c["gy"],
        "a": c["a"],
        "b": c["b"],
    }
    signer = sm2.CryptSM2(private_key=None, public_key="", ecc_table=table)
    # Set the key directly: the constructor's prefix stripping mangles keys
    # whose x coordinate starts with the digits 0 or 4.
    signer.public_key = public_key[1:].hex()
    return bool(signer.verify(sig.hex(), e))


def verify_signature(entry, msg, sig):
    alg = entry.get("alg")
    pk = bytes.fromhex(entry["public_key"])
    if alg == "ed25519":
        try:
            Ed25519PublicKey.from_public_bytes(pk).verify(sig, msg)
            return True
        except (InvalidSignature, ValueError):
            return False
    if alg == "sm2":
        return verify_sm2(pk, entry.get("sm2_id") or DEFAULT_SM2_ID, msg, sig)
    raise Bad(f"roster entry {entry['id']}: unknown alg {alg!r}")


def event_hash(seq, prev, body):
    return hashlib.sha256(EVENT_TAG + seq.to_bytes(8, "big") + prev + body).digest()


def verify_chain(digest_hex, expert, events):
    """Computes the chain; returns the head hash (genesis when empty).

    Each event is its body: seq is its place, the hash before it is
    genesis or the previous event's hash (docs: section 4)."""
    if not HEX64.fullmatch(digest_hex):
        raise Bad("bundle digest is not 64 lower-case hex digits")
    digest = bytes.fromhex(digest_hex)
    prev = hashlib.sha256(GENESIS_TAG + digest + expert.encode("utf-8")).digest()
    last_time = None
    for i, ev in enumerate(events):
        seq = i + 1
        h = event_hash(seq, prev, rfc8785.dumps(ev))
        if ev.get("expert") != expert:
            raise Bad(f"history: seq {seq}: event by another expert")
        t = parse_time(ev["time"])
        if t is None:
            raise Bad(f"history: seq {seq}: time is not written YYYY-MM-DDTHH:MM:SS.mmmZ")
        if last_time is not None and t < last_time:
            raise Bad(f"history: seq {seq}: time goes backwards")
        last_time = t
        prev = h
    return prev


def status_of(entry, rubric):
    if entry["recused"]:
        return "recused"
    keys = [c["key"] for c in rubric["criteria"]]
    if (
        all(k in entry["scores"] for k in keys)
        and visible_chars(entry["comment"]) >= rubric["min_comment_chars"]
        and entry["recommend"] is not None
    ):
        return "complete"
    if not entry["scores"] and entry["comment"] == "" and entry["recommend"] is None:
        return "todo"
    return "draft"


def replay(rubric, app_ids, events):
    """Replays the history under the rubric (docs: "Replay")."""
    crit = {c["key"]: c for c in rubric["criteria"]}
    sheet = {}
    for i, ev in enumerate(events):
        seq, app, kind = i + 1, ev.get("app"), ev.get("type")
        if app not in app_ids:
            raise Bad(f"history seq {seq}: no application {app!r}")
        e = sheet.setdefault(
            app,
            {"scores": {}, "comment": "", "recommend": None, "recused": False, "reason": ""},
        )
        if kind == "score":
            c = crit.get(ev["criterion"])
            if c is None:
                raise Bad(f"history seq {seq}: no criterion {ev['criterion']!r}")
            v = ev["value"]
            if v is not None and not (
                c["min"] <= v <= c["max"] and (v - c["min"]) % c["step"] == 0
            ):
                raise Bad(f"history seq {seq}: {ev['criterion']} = {v} is outside the rubric")
            if e["recused"]:
                raise Bad(f"history seq {seq}: application {app} is recused")
            if v is None:
                e["scores"].pop(ev["criterion"], None)
            else:
                e["scores"][ev["criterion"]] = v
        elif kind in ("comment", "recommend"):
            if e["recused"]:
                raise Bad(f"history seq {seq}: application {app} is recused")
            if kind == "comment":
                if len(ev["text"]) > MAX_TEXT_CHARS:
                    raise Bad(f"history seq {seq}: text too long")
                e["comment"] = ev["text"]
            else:
                e["recommend"] = ev["value"]
        elif kind == "recuse":
            if e["recused"]:
                raise Bad(f"history seq {seq}: application {app} is already recused")
            if not strip_white(ev["reason"]) or len(ev["reason"]) > MAX_TEXT_CHARS:
                raise Bad(f"history seq {seq}: bad recusal reason")
            e["recused"], e["reason"] = True, ev["reason"]
        elif kind == "unrecuse":
            if not e["recused"]:
                raise Bad(f"history seq {seq}: application {app} is not recused")
            if len(ev["reason"]) > MAX_TEXT_CHARS:
                raise Bad(f"history seq {seq}: text too long")
            e["recused"], e["reason"] = False, ""
        else:
            raise Bad(f"history seq {seq}: unknown event type {kind!r}")
    return sheet


def result_of(app_id, e, rubric):
    e = e or {"scores": {}, "comment": "", "recommend": None, "recused": False, "reason": ""}
    status = status_of(e, rubric)
    if status == "recused":
        return {
            "id": app_id, "status": status, "scores": {}, "total": None,
            "comment": "", "recommend": None, "recuse_reason": e["reason"],
        }
    keys = [c["key"] for c in rubric["criteria"]]
    total = None
    if all(k in e["scores"] for k in keys):
        total = sum(e["scores"][c["key"]] * c["weight"] for c in rubric["criteria"])
    return {
        "id": app_id, "status": status, "scores": dict(e["scores"]), "total": total,
        "comment": e["comment"], "recommend": e["recommend"], "recuse_reason": None,
    }


def verify_file(text, roster):
    return verify_payload(text, roster)[0]


def verify_payload(text, roster):
    """(the OK line's summary, the verified payload)."""
    env, body, payload = open_dsse(text)
    if env["payloadType"] != SCORES_TYPE:
        raise Bad(f"payloadType {env['payloadType']!r} is not {SCORES_TYPE}")
    sigs = env["signatures"]
    check_scores_shape(payload)
    if rfc8785.dumps(payload) != body:
        raise Bad("payload is not written in canonical form (RFC 8785)")
    expert = payload["expert"]["id"]
    entry = next((e for e in roster if e.get("id") == expert), None)
    if entry is None:
        raise Bad(f"expert {expert!r} is not in the roster")
    if not entry.get("public_key") or not entry.get("key_id"):
        raise Bad(f"the roster has no public key for expert {expert}")
    pk = bytes.fromhex(entry["public_key"])
    if hashlib.sha256(pk).hexdigest() != entry["key_id"]:
        raise Bad(f"roster entry {expert}: key_id is not SHA-256(public_key)")
    if not isinstance(sigs, list) or len(sigs) != 1:
        raise Bad("an expert's file carries exactly one signature")
    if sigs[0].get("keyid") != entry["key_id"]:
        raise Bad(f"signed with key {sigs[0].get('keyid')!r}, not expert {expert}'s roster key")
    if payload["expert"].get("key_id") != entry["key_id"]:
        raise Bad("payload expert key_id is not the roster's")
    try:
        sig = base64.b64decode(sigs[0]["sig"], validate=True)
    except (ValueError, TypeError):
        raise Bad("sig is not base64") from None
    msg = pae(env["payloadType"], body)
    if not verify_signature(entry, msg, sig):
        raise Bad("signature does not verify (payload or signature altered)")

    if payload.get("format") != PAYLOAD_FORMAT:
        raise Bad(f"payload format {payload.get('format')!r}")
    created = t_time(payload["created"], "payload created")
    for a in payload["applications"]:
        if not fit_id(a["id"]):
            raise Bad(
                f"application id {a['id']!r} is empty or holds white space, control, "
                "invisible or private-use characters"
            )
    check_rubric(payload["rubric"])
    history = payload["history"]
    app_ids = [a["id"] for a in payload["applications"]]
    if len(set(app_ids)) != len(app_ids):
        raise Bad("an application appears twice")
    head = verify_chain(payload["bundle"]["digest"], expert, history)
    for i, ev in enumerate(history):
        if parse_time(ev["time"]) > created:
            raise Bad(f"history: seq {i + 1}: time {ev['time']} is after the file was created")
    if payload["head"] != {"size": len(history), "hash": head.hex()}:
        raise Bad("log head does not match the history")
    rubric = payload["rubric"]
    sheet = replay(rubric, set(app_ids), history)
    counts = {"complete": 0, "recused": 0, "draft": 0, "todo": 0}
    for exported in payload["applications"]:
        want = result_of(exported["id"], sheet.get(exported["id"]), rubric)
        if exported != want:
            raise Bad(f"application {exported['id']}: exported result differs from the replayed history")
        counts[want["status"]] += 1
    open_ = counts["draft"] + counts["todo"]
    if payload["partial"] != (open_ > 0):
        raise Bad("partial flag does not match the results")
    return (
        f"expert {expert} ({entry.get('name', '')})  {counts['complete']} scored, "
        f"{counts['recused']} recused, {open_} to do" + (" (partial)" if open_ else ""),
        payload,
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--roster", required=True, help="JSON array of roster entries")
    args = ap.parse_args()
    try:
        with open(args.roster, encoding="utf-8-sig") as f:
            roster = loads_strict(f.read())
        if not isinstance(roster, list):
            raise Bad("a roster is a JSON array")
    except (OSError, Bad) as e:
        print(f"verify_export.py: {args.roster}: {e}", file=sys.stderr)
        return 2
    code = 0
    for name in args.files:
        try:
            with open(name, encoding="utf-8-sig") as f:
                text = f.read()
        except (OSError, UnicodeDecodeError) as e:
            print(f"verify_export.py: {name}: {e}", file=sys.stderr)
            code = 2
            continue
        try:
            print(f"OK  {name}  {verify_file(text, roster)}")
        except Bad as e:
            print(f"BAD {name}  {e}")
            code = max(code, 1)
        except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as e:
            print(f"BAD {name}  malformed payload ({type(e).__name__}: {e})")
            code = max(code, 1)
    return code


if __name__ == "__main__":
    sys.exit(main())
