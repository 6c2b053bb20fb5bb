#!/usr/bin/env python3
"""Independent verifier for the ministry's combined result (panelist.combined.v1).

Written from docs/formats.md (sections 1, 2, 8 and 13) alone, so that an
auditor can check the national ranking and the proposed list without
panelist. It checks:

  1. strict JSON (duplicate keys, non-integer numbers, unknown fields
     refused) and the envelope: exactly one signature, by a roster entry
     with "role": "ministry", verified with that entry's key; the payload's
     `ministry` names that entry and key; every panel's chair is a roster
     entry with "role": "chair" and that key;
  2. the structure (section 13.1-13.6) and the method's published words;
  3. every derived figure recomputed with integers (section 13.4): each
     panel's z-scores and percentiles, the national ranks under raw, zscore
     and percentile, robustness, statuses, the ties at the cut and the
     proposed list; and the rules checked across panels (section 13.5:
     rule, panels and applications of every finding);
  4. with the panels' merged files given (`--merged FILE...`): each is
     verified as verify_merged.py opens it (the chair's signature, the
     shape), its figures recomputed from its own marks, matched to its
     `panels[]` entry by SHA-256, and every entry's copied figure compared
     with the merged file's. The first difference is named:
     `entries[P01-0003@0].score: file 81.0000, recomputed 80.2500`.

Usage:  python3 scripts/verify_combined.py COMBINED.json --roster ROSTER.json [--merged MERGED.json ...]
Prints "OK  FILE  ..." or "BAD FILE  reason"; exit 0 if good, 1 if bad, 2 on
an error (bad usage, an unreadable file or roster, missing packages).

Packages: pip install -r scripts/requirements-verify.txt
"""

import argparse
import base64
import hashlib
import math
import os
import re
import sys
import unicodedata

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_merged as vm  # noqa: E402  (exits 2 itself on a missing package)

vx = vm.vx
Bad = vx.Bad

COMBINED_TYPE = "application/vnd.panelist.combined+json;version=1"
PAYLOAD_FORMAT = "panelist.combined.v1"
PLACES = 4
SCALE = 10_000
RULES = ("trimmed", "mean", "median")
BASES = ("raw", "zscore", "percentile")
STATUSES = ("selected", "tie", "not-selected", "ranked", "unranked")
CALL_RULES = ("same-application", "unit-limit", "multi-route", "authority-limit", "high-end-limit")
SAME_TITLE = 850
SAME_LEAD_TITLE = 650
TITLE_COMPARE_CHARS = 256
HEX64 = re.compile(r"[0-9a-f]{64}")

# The method's published words (section 13.2), this version's.
METHOD_WORDS = {
    "ranking": "Within each direction, the applications of every panel with a figure are ranked together by the basis, highest first, in competition ranking (1, 2, 2, 4). The raw basis is the panel's published statistic of the weighted totals under the declared rule. Equal values are ordered by the tie-break (when sme_tiebreak: a small or micro enterprise lead unit first; then the higher innovation statistic under the rule, an application without one last); those still equal share a rank.",
    "zscore": "zscore: per panel, over the panel's applications with a figure (s_1..s_n as integers of 10^-4, S = Σ s): d_i = n·s_i − S, D = Σ d_j²; z_i = d_i·sqrt((n − 1) / D), the sample z-score; 0 when n < 2 or D = 0. Published with 4 places: the magnitude sqrt(d_i²·(n − 1)·10^8 / D) rounded to the nearest integer, exactly halfway rounding up, with d_i's sign.",
    "percentile": "percentile: per panel, over the panel's applications with a figure: 100 × (below + equal / 2) / n, where below counts the panel's figures lower than the application's and equal those equal to it (itself included); exact, published with 4 places rounded half away from zero.",
    "robust": "robust: the application's ranks under raw, zscore and percentile differ by at most rank_shift places.",
    "selection_rule": "With a quota q for a direction: an application of rank r under the basis is selected when the applications of rank ≤ r number at most q; when those of rank < r number fewer than q but those of rank ≤ r more, the applications of rank r are a tie at the cut (status tie, never broken here). With a threshold t: selected when the basis value is at least t. Applications without a figure are unranked.",
}

closed, t_str, t_int, t_u32, t_bool, t_list, t_dec, t_opt = (
    vm.closed, vm.t_str, vm.t_int, vm.t_u32, vm.t_bool, vm.t_list, vm.t_dec, vm.t_opt,
)

# ---------------------------------------------------------------------------
# Figures: decimal strings with 4 places as integers of 10^-4.


def fig(s):
    if s is None:
        return None
    neg = s.startswith("-")
    a, b = s.lstrip("-").split(".")
    v = int(a) * SCALE + int(b)
    return -v if neg else v


def fixed(v):
    sign = "-" if v < 0 else ""
    a = abs(v)
    return f"{sign}{a // SCALE}.{a % SCALE:04d}"


# ---------------------------------------------------------------------------
# Shapes (section 13).


def check_ref(r, path, keys):
    closed(r, path, keys)
    for k in keys:
        t_str(r[k], f"{path}.{k}")


def check_shape(p):
    closed(p, "payload", (
        "format", "tool_version", "created", "call", "ministry", "method", "limits", "panels",
        "set_aside", "directions", "entries", "findings", "ties", "list",
    ))
    for k in ("format", "tool_version", "call"):
        t_str(p[k], k)
    vx.t_time(p["created"], "created")
    if p["ministry"] is not None:
        check_ref(p["ministry"], "ministry", ("id", "name", "org", "key_id"))
    m = closed(p["method"], "method", (
        "rule", "sme_tiebreak", "basis", "rank_shift", "selection", "quota", "threshold",
        "places", "ranking", "zscore", "percentile", "robust", "selection_rule",
    ))
    if m["rule"] not in RULES:
        raise Bad(f"method.rule {m['rule']!r} is not one of {', '.join(RULES)}")
    if m["basis"] not in BASES:
        raise Bad(f"method.basis {m['basis']!r} is not one of {', '.join(BASES)}")
    t_bool(m["sme_tiebreak"], "method.sme_tiebreak")
    t_u32(m["rank_shift"], "method.rank_shift")
    if not isinstance(m["quota"], dict):
        raise Bad("method.quota is not an object")
    for k, v in m["quota"].items():
        if not re.fullmatch(r"0|[1-9][0-9]*", k):
            raise Bad(f"method.quota key {k!r} is not a direction code")
        t_u32(v, f"method.quota.{k}")
    t_opt(t_dec, m["threshold"], "method.threshold")
    sel = m["selection"]
    ok = (
        (sel == "none" and not m["quota"] and m["threshold"] is None)
        or (sel == "quota" and m["threshold"] is None)
        or (sel == "threshold" and not m["quota"] and m["threshold"] is not None)
    )
    if not ok:
        raise Bad(f"method.selection {sel!r} does not agree with quota and threshold")
    if m["places"] != PLACES:
        raise Bad(f"method.places is {m['places']}, this version writes {PLACES}")
    for k, w in METHOD_WORDS.items():
        if m[k] != w:
            raise Bad(f"method.{k} is not this version's published rule")
    lim = closed(p["limits"], "limits", (
        "notice", "max_per_authority", "max_high_end_per_authority", "high_end_direction",
    ))
    t_str(lim["notice"], "limits.notice")
    t_u32(lim["max_per_authority"], "limits.max_per_authority")
    t_u32(lim["max_high_end_per_authority"], "limits.max_high_end_per_authority")
    t_opt(t_u32, lim["high_end_direction"], "limits.high_end_direction")
    for i, x in enumerate(t_list(p["panels"], "panels")):
        q = f"panels[{i}]"
        closed(x, q, (
            "file", "sha256", "bundle", "chair", "merged", "panel_rule", "experts", "applications",
        ))
        t_str(x["file"], f"{q}.file")
        t_str(x["sha256"], f"{q}.sha256", HEX64)
        check_ref(x["bundle"], f"{q}.bundle", ("id", "digest", "call", "panel"))
        check_ref(x["chair"], f"{q}.chair", ("id", "name", "org", "key_id"))
        vx.t_time(x["merged"], f"{q}.merged")
        if x["panel_rule"] not in RULES:
            raise Bad(f"{q}.panel_rule {x['panel_rule']!r} is not a rule")
        t_u32(x["experts"], f"{q}.experts")
        t_u32(x["applications"], f"{q}.applications")
    for i, x in enumerate(t_list(p["set_aside"], "set_aside")):
        check_ref(x, f"set_aside[{i}]", ("file", "sha256", "reason", "detail"))
        if x["reason"] != "not-preferred":
            raise Bad(f"set_aside[{i}].reason {x['reason']!r} is not known")
    for i, d in enumerate(t_list(p["directions"], "directions")):
        closed(d, f"directions[{i}]", ("code", "name_zh", "name_en", "short_zh", "short_en"))
        t_u32(d["code"], f"directions[{i}].code")
    for i, e in enumerate(t_list(p["entries"], "entries")):
        q = f"entries[{i}]"
        closed(e, q, (
            "panel", "id", "title", "direction", "lead_unit", "sme", "authority", "scorers",
            "score", "innovation", "z", "percentile", "ranks", "robust", "status",
            "panel_findings", "findings", "opinion",
        ))
        for k in ("id", "title", "lead_unit", "authority"):
            t_str(e[k], f"{q}.{k}")
        for k in ("panel", "direction", "scorers"):
            t_u32(e[k], f"{q}.{k}")
        t_bool(e["sme"], f"{q}.sme")
        t_bool(e["robust"], f"{q}.robust")
        for k in ("score", "innovation", "z", "percentile"):
            t_opt(t_dec, e[k], f"{q}.{k}")
        if not isinstance(e["ranks"], dict) or set(e["ranks"]) - set(BASES):
            raise Bad(f"{q}.ranks: an object of raw, zscore, percentile")
        if e["status"] not in STATUSES:
            raise Bad(f"{q}.status {e['status']!r} is not known")
        for j, r in enumerate(t_list(e["panel_findings"], f"{q}.panel_findings")):
            t_str(r, f"{q}.panel_findings[{j}]")
        for j, r in enumerate(t_list(e["findings"], f"{q}.findings")):
            t_u32(r, f"{q}.findings[{j}]")
        t_opt(t_str, e["opinion"], f"{q}.opinion")

    def app_at(a, path):
        closed(a, path, ("panel", "id"))
        t_u32(a["panel"], f"{path}.panel")
        t_str(a["id"], f"{path}.id")

    for i, f in enumerate(t_list(p["findings"], "findings")):
        q = f"findings[{i}]"
        closed(f, q, ("rule", "source", "panels", "apps", "detail_zh", "detail_en"))
        for k in ("rule", "source", "detail_zh", "detail_en"):
            t_str(f[k], f"{q}.{k}")
        for j, x in enumerate(t_list(f["panels"], f"{q}.panels")):
            t_u32(x, f"{q}.panels[{j}]")
        for j, a in enumerate(t_list(f["apps"], f"{q}.apps")):
            app_at(a, f"{q}.apps[{j}]")
    for i, t in enumerate(t_list(p["ties"], "ties")):
        q = f"ties[{i}]"
        closed(t, q, ("direction", "rank", "places_left", "apps"))
        for k in ("direction", "rank", "places_left"):
            t_u32(t[k], f"{q}.{k}")
        for j, a in enumerate(t_list(t["apps"], f"{q}.apps")):
            app_at(a, f"{q}.apps[{j}]")
    for i, a in enumerate(t_list(p["list"], "list")):
        app_at(a, f"list[{i}]")


# ---------------------------------------------------------------------------
# The national ranking (section 13.4).


def normalise(values):
    """z-scores and percentiles (integers of 10^-4) of one panel's figures."""
    xs = [v for v in values if v is not None]
    n, s = len(xs), sum(xs)
    dd = sum((n * x - s) ** 2 for x in xs)
    srt = sorted(xs)
    z, pct = [], []
    for v in values:
        if v is None:
            z.append(None)
            pct.append(None)
            continue
        d = n * v - s
        if n < 2 or dd == 0 or d == 0:
            z.append(0)
        else:
            num = d * d * (n - 1) * SCALE * SCALE
            k = math.isqrt(num // dd)
            while (2 * k + 1) ** 2 * dd <= 4 * num:
                k += 1
            z.append(k if d > 0 else -k)
        below = sum(1 for y in srt if y < v)
        equal = sum(1 for y in srt if y == v)
        num, den = 100 * (2 * below + equal) * SCALE, 2 * n
        q, r = divmod(num, den)
        pct.append(q + 1 if 2 * r >= den else q)
    return z, pct


def competition(idx, key):
    """Ranks (1, 2, 2, 4) of idx by key, highest key first."""
    order = sorted(idx, key=lambda i: (tuple(-k for k in key(i)), i))
    out, rank = {}, 0
    for pos, i in enumerate(order):
        if pos == 0 or key(order[pos - 1]) != key(i):
            rank = pos + 1
        out[i] = rank
    return out


def rank_all(p):
    m = p["method"]
    es = p["entries"]
    score = [fig(e["score"]) for e in es]
    inn = [fig(e["innovation"]) for e in es]
    z, pct = [None] * len(es), [None] * len(es)
    panels = {}
    for i, e in enumerate(es):
        panels.setdefault(e["panel"], []).append(i)
    for idx in panels.values():
        zs, ps = normalise([score[i] for i in idx])
        for k, i in enumerate(idx):
            z[i], pct[i] = zs[k], ps[k]
    value = {"raw": score, "zscore": z, "percentile": pct}
    dirs = {}
    for i, e in enumerate(es):
        if score[i] is not None:
            dirs.setdefault(e["direction"], []).append(i)
    ranks = [dict() for _ in es]
    for idx in dirs.values():
        for b in BASES:
            def key(i, b=b):
                sme = 1 if (m["sme_tiebreak"] and es[i]["sme"]) else 0
                # an application without an innovation figure comes last
                return (value[b][i], sme, 0 if inn[i] is None else 1, inn[i] or 0)
            for i, r in competition(idx, key).items():
                ranks[i][b] = r
    robust = [
        (max(r.values()) - min(r.values()) <= m["rank_shift"]) if r else True for r in ranks
    ]
    status = ["ranked" if r else "unranked" for r in ranks]
    ties = []
    basis = m["basis"]
    if m["selection"] == "threshold":
        t = fig(m["threshold"])
        for i in range(len(es)):
            if status[i] == "ranked":
                v = value[basis][i]
                status[i] = "selected" if v is not None and v >= t else "not-selected"
    elif m["selection"] == "quota":
        for d in sorted(dirs):
            q = m["quota"].get(str(d), 0)
            groups = {}
            for i in dirs[d]:
                groups.setdefault(ranks[i][basis], []).append(i)
            before = 0
            for r in sorted(groups):
                g = groups[r]
                if before + len(g) <= q:
                    st = "selected"
                elif before < q:
                    st = "tie"
                    ties.append({
                        "direction": d, "rank": r, "places_left": q - before,
                        "apps": [{"panel": es[i]["panel"], "id": es[i]["id"]} for i in g],
                    })
                else:
                    st = "not-selected"
                for i in g:
                    status[i] = st
                before += len(g)
    lst = sorted(
        (i for i in range(len(es)) if status[i] == "selected"),
        key=lambda i: (es[i]["direction"], es[i]["id"], es[i]["panel"]),
    )
    lst = [{"panel": es[i]["panel"], "id": es[i]["id"]} for i in lst]
    derived = [
        {
            "z": None if z[i] is None else fixed(z[i]),
            "percentile": None if pct[i] is None else fixed(pct[i]),
            "ranks": ranks[i],
            "robust": robust[i],
            "status": status[i],
        }
        for i in range(len(es))
    ]
    return derived, ties, lst


# ---------------------------------------------------------------------------
# The rules across panels (section 13.5): the merged result's facts only
# (lead units, no credit codes, no joint units).


def fold_char(ch):
    c = {"【": "[", "〔": "[", "】": "]", "〕": "]", "“": '"', "”": '"', "‘": "'", "’": "'"}.get(ch, ch)
    if c.isspace() or vx.is_control(c) or vx.is_invisible(c):
        return None
    return c.lower() if c.isascii() else c


def normalize_name(s):
    folded = "".join(c for c in map(fold_char, unicodedata.normalize("NFKC", s)) if c)
    return unicodedata.normalize("NFC", folded)


def fold_title(s):
    return normalize_name(s)[:TITLE_COMPARE_CHARS]


def masks_of(a):
    """The bit-parallel LCS's match masks of title a: char → bits of its places."""
    m = {}
    for i, c in enumerate(a):
        m[c] = m.get(c, 0) | (1 << i)
    return m


def lcs(a, masks, b):
    """Length of the longest common subsequence of a (with its masks) and b:
    V starts all ones; for each c of b, V ← (V + (V & M)) | (V & ~M); the
    LCS is the number of zero bits of V among the first |a|."""
    full = (1 << len(a)) - 1
    v = full
    for c in b:
        u = v & masks.get(c, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def similarity(a, masks, b):
    if not a and not b:
        return 1000
    return (2000 * lcs(a, masks, b)) // (len(a) + len(b))


def call_findings(p):
    """(rule, panels, apps) of every finding, in the order of section 13.5."""
    es = p["entries"]
    lim = p["limits"]
    out = []
    by_id = {}
    for i, e in enumerate(es):
        by_id.setdefault(e["id"], []).append(i)
    for app_id in sorted(by_id):
        idx = by_id[app_id]
        panels = sorted({es[i]["panel"] for i in idx})
        if len(panels) >= 2:
            out.append(("same-application", panels, [(es[i]["panel"], es[i]["id"]) for i in idx]))
    # every entry keyed apart: id, U+001F, its index in six digits
    order = sorted(range(len(es)), key=lambda i: f"{es[i]['id']}\x1f{i:06d}")
    found = []
    # unit-limit: one group per folded lead-unit name
    groups = {}
    for pos, i in enumerate(order):
        n = normalize_name(es[i]["lead_unit"])
        key = n if n else ("", pos)
        groups.setdefault(key, []).append(pos)
    for g in sorted(groups.values(), key=lambda g: g[0]):
        if len(g) > 2:
            found.append(("unit-limit", [order[k] for k in g]))
    # multi-route
    titles = [fold_title(es[i]["title"]) for i in order]
    auths = [normalize_name(es[i]["authority"]) for i in order]
    leads = [normalize_name(es[i]["lead_unit"]) for i in order]
    for a in range(len(order)):
        ma = masks_of(titles[a])
        for b in range(a + 1, len(order)):
            if auths[a] == auths[b]:
                continue
            sim = similarity(titles[a], ma, titles[b])
            if sim >= SAME_TITLE or (leads[a] == leads[b] and sim >= SAME_LEAD_TITLE):
                found.append(("multi-route", [order[a], order[b]]))
    # authority limits, authorities in folded-name order
    by_auth = {}
    for pos, i in enumerate(order):
        by_auth.setdefault(auths[pos], []).append(i)
    for name in sorted(by_auth):
        lst = by_auth[name]  # already in key order (no priorities)
        if len(lst) > lim["max_per_authority"]:
            found.append(("authority-limit", lst))
        he = lim["high_end_direction"]
        if he is not None:
            hi = [i for i in lst if es[i]["direction"] == he]
            if len(hi) > lim["max_high_end_per_authority"]:
                found.append(("high-end-limit", hi))
    for rule, idx in found:
        panels = sorted({es[i]["panel"] for i in idx})
        if len(panels) >= 2:
            out.append((rule, panels, [(es[i]["panel"], es[i]["id"]) for i in idx]))
    return out


# ---------------------------------------------------------------------------
# The envelope and the merged files.


def open_envelope(text, roster):
    env, body, payload = vx.open_dsse(text)
    if env["payloadType"] != COMBINED_TYPE:
        raise Bad(f"payloadType {env['payloadType']!r} is not {COMBINED_TYPE}")
    sigs = env["signatures"]
    if not isinstance(sigs, list):
        raise Bad("signatures is not an array")
    if not sigs:
        raise Bad("unsigned combined result (a draft): it carries no ministry's signature")
    if len(sigs) != 1:
        raise Bad(f"a combined result carries exactly one signature, this one {len(sigs)}")
    sig = closed(sigs[0], "signatures[0]", ("keyid", "sig"))
    keyid = t_str(sig["keyid"], "signatures[0].keyid")
    entries = [e for e in roster if isinstance(e, dict) and e.get("key_id") == keyid]
    if len(entries) != 1:
        raise Bad(f"signed with key {keyid[:16]}…, which is not in the roster once")
    entry = entries[0]
    if entry.get("role") != "ministry":
        raise Bad(f'signed by {entry.get("id")}, whose roster entry does not have "role": "ministry"')
    vm.roster_key(entry, "the ministry")
    try:
        raw = base64.b64decode(t_str(sig["sig"], "signatures[0].sig"), validate=True)
    except ValueError:
        raise Bad("sig is not base64") from None
    if not vx.verify_signature(entry, vx.pae(env["payloadType"], body), raw):
        raise Bad("signature does not verify (payload or signature altered)")
    check_shape(payload)
    if payload["format"] != PAYLOAD_FORMAT:
        raise Bad(f"payload format {payload['format']!r} is not {PAYLOAD_FORMAT}")
    mi = payload["ministry"]
    if mi is None or mi["id"] != entry.get("id") or mi["key_id"] != entry["key_id"]:
        raise Bad(f"ministry does not name {entry.get('id')}, who signed")
    return payload, entry


def check_panels(p, roster):
    shas = set()
    for i, x in enumerate(p["panels"]):
        if x["sha256"] in shas:
            raise Bad(f"panels[{i}]: the same file twice")
        shas.add(x["sha256"])
        if x["bundle"]["call"] != p["call"]:
            raise Bad(f"panels[{i}] is of call {x['bundle']['call']}, the result of {p['call']}")
        chairs = [
            e for e in roster
            if isinstance(e, dict) and e.get("id") == x["chair"]["id"]
            and e.get("key_id") == x["chair"]["key_id"] and e.get("role") == "chair"
        ]
        if not chairs:
            raise Bad(f"panels[{i}]: chair {x['chair']['id']} with that key is not a roster chair")
        for j in range(i):
            y = p["panels"][j]["bundle"]
            if any(x["bundle"][k] == y[k] for k in ("id", "digest", "panel")):
                raise Bad(f"panels[{j}] and panels[{i}] are two versions of one panel")
    seen = set()
    for e in p["entries"]:
        if e["panel"] >= len(p["panels"]) or (e["panel"], e["id"]) in seen:
            raise Bad(f"entries[{e['id']}@{e['panel']}]: no such panel, or twice")
        seen.add((e["panel"], e["id"]))
        if not any(d["code"] == e["direction"] for d in p["directions"]):
            raise Bad(f"entries[{e['id']}@{e['panel']}]: direction {e['direction']} is not listed")


def from_merged(p, merged, roster):
    """Each panel's merged file, opened and recomputed from its marks; the
    entries and panel references it gives."""
    rule = p["method"]["rule"]
    for k, x in enumerate(p["panels"]):
        text = merged.get(x["sha256"])
        if text is None:
            raise Bad(f"panels[{k}] ({x['file']}): no merged file given has its SHA-256")
        try:
            m, chair = vm.open_envelope(text, roster)
        except Bad as e:
            raise Bad(f"panels[{k}] ({x['file']}): {e}") from None
        marks, recused = vm.marks_of_payload(m)
        apps, _, _ = vm.recompute_all(m, marks, recused)
        for got, want in zip(m["applications"], apps):
            d = vm.first_diff(f"panels[{k}].applications[{want['id']}]", got, want)
            if d:
                raise Bad(d)
        want_ref = {
            "bundle": m["bundle"],
            "chair": {
                "id": chair["id"], "name": chair.get("name", ""), "org": chair.get("org", ""),
                "key_id": chair["key_id"],
            },
            "merged": m["created"],
            "panel_rule": m["method"]["rule"],
            "experts": len(m["inputs"]),
            "applications": len(m["applications"]),
        }
        got_ref = {key: x[key] for key in want_ref}
        d = vm.first_diff(f"panels[{k}]", got_ref, want_ref)
        if d:
            raise Bad(d)
        mine = [e for e in p["entries"] if e["panel"] == k]
        if [e["id"] for e in mine] != [a["id"] for a in m["applications"]]:
            raise Bad(f"panels[{k}]: the entries are not the merged file's applications, in order")
        for e, a in zip(mine, m["applications"]):
            ranked = a["rank"] is not None
            pf = []
            for f in a["findings"]:
                if f["rule"] not in pf:
                    pf.append(f["rule"])
            want = {
                "title": a["title"], "direction": a["direction"], "lead_unit": a["lead_unit"],
                "sme": a["sme"], "authority": a["authority"], "scorers": len(a["scorers"]),
                "score": a["total"][rule] if ranked and a["total"] else None,
                "innovation": (
                    a["criteria"]["innovation"][rule]
                    if ranked and "innovation" in a["criteria"] else None
                ),
                "panel_findings": pf,
                "opinion": a["opinion"]["text"] if a["opinion"] else None,
            }
            d = vm.first_diff(f"entries[{e['id']}@{k}]", {key: e[key] for key in want}, want)
            if d:
                raise Bad(d)


def verify_combined(text, roster, merged):
    p, entry = open_envelope(text, roster)
    check_panels(p, roster)
    if merged:
        from_merged(p, merged, roster)
    derived, ties, lst = rank_all(p)
    for e, want in zip(p["entries"], derived):
        d = vm.first_diff(f"entries[{e['id']}@{e['panel']}]", {k: e[k] for k in want}, want)
        if d:
            raise Bad(d)
    d = vm.first_diff("ties", p["ties"], ties) or vm.first_diff("list", p["list"], lst)
    if d:
        raise Bad(d)
    want = call_findings(p)
    got = [
        (f["rule"], f["panels"], [(a["panel"], a["id"]) for a in f["apps"]]) for f in p["findings"]
    ]
    if got != want:
        for i, (g, w) in enumerate(zip(got + [None] * len(want), want + [None] * len(got))):
            if g != w:
                raise Bad(f"findings[{i}]: file {g}, recomputed {w}")
    for i, f in enumerate(p["findings"]):
        if not f["source"].startswith(p["limits"]["notice"] + " "):
            raise Bad(f"findings[{i}].source does not name the call's notice")
    pointed = [[] for _ in p["entries"]]
    index = {(e["panel"], e["id"]): i for i, e in enumerate(p["entries"])}
    for n, f in enumerate(p["findings"]):
        for a in f["apps"]:
            i = index.get((a["panel"], a["id"]))
            if i is None:
                raise Bad(f"findings[{n}] names {a['id']}@{a['panel']}, which is no entry")
            if n not in pointed[i]:
                pointed[i].append(n)
    for e, want in zip(p["entries"], pointed):
        if e["findings"] != want:
            raise Bad(f"entries[{e['id']}@{e['panel']}].findings: file {e['findings']}, recomputed {want}")
    how = (
        f"every figure recomputed, from {len(merged)} merged files"
        if merged
        else "derived figures recomputed from the file's panel figures (no merged files given)"
    )
    return (
        f"combined result by {entry['id']} ({entry.get('name', '')})  {len(p['panels'])} panels, "
        f"{len(p['entries'])} applications, {len(p['list'])} on the list; {how}"
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("combined", help="the ministry's combined result (JSON)")
    ap.add_argument("--roster", required=True, help="the ministry's roster (JSON array)")
    ap.add_argument("--merged", nargs="*", default=[], help="the panels' merged results")
    args = ap.parse_intermixed_args()
    roster = vm.read_roster(args.roster, "verify_combined.py")
    if roster is None:
        return 2
    text = vm.read_signed_text(args.combined, "verify_combined.py")
    if text is None:
        return 2
    merged = {}
    for name in args.merged:
        try:
            with open(name, "rb") as f:
                raw = f.read()
            merged[hashlib.sha256(raw).hexdigest()] = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            print(f"verify_combined.py: {name}: {e}", file=sys.stderr)
            return 2
    return vm.verdict(args.combined, lambda: verify_combined(text, roster, merged))


if __name__ == "__main__":
    sys.exit(main())
