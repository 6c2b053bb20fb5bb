#!/usr/bin/env python3
"""Independent verifier for the chair's merged result (panelist.merged.v4).

Written from docs/formats.md (sections 1, 2, 6 and 8) alone, so that
a ministry or an auditor can check a merged result without panelist. It
checks:

  1. strict JSON (duplicate keys, non-integer numbers, unknown fields
     refused) and the envelope: exactly one signature, by a roster entry
     with "role": "chair", verified with that entry's key; the payload's
     `chair` names that entry and key;
  2. the structure and its consistency (section 8.7 step 3): the method's
     words, a sound rubric, inputs in the roster and merged once, scorers
     and recused experts among the inputs, counts, a rank exactly when
     there is a total;
  3. every figure of sections 8.4-8.6, recomputed with exact fractions:
     from the expert files when they are given (each verified as
     verify_export.py does and matched to its `inputs[]` entry), otherwise
     from the per-expert marks (`by_expert`, `recused`) the file itself
     carries. The first difference is named:
     `applications[T-00008].total.mean: file 1.0000, recomputed 81.4000`.

  4. with --opinions, the chair's opinion log (section 8.10): its chain
     recomputed, every event signed by the chair's roster key, and its
     final opinions equal to the file's.

Usage:  python3 scripts/verify_merged.py MERGED.json --roster ROSTER.json [--opinions LOG] [EXPERT_FILE...]
Prints "OK  FILE  ..." or "BAD FILE  reason"; exit 0 if good, 1 if bad, 2 on
an error (bad usage, an unreadable file or roster, missing packages).

Packages: pip install -r scripts/requirements-verify.txt
"""

import argparse
import base64
import hashlib
import json
import math
import os
import re
import sys
from fractions import Fraction

try:
    import rfc8785  # noqa: F401  (verify_export needs these; say so here first)
    import cryptography  # noqa: F401
    import gmssl  # noqa: F401
except ImportError as e:  # pragma: no cover - the message is the point
    print(
        f"verify_merged.py: missing Python package ({e.name}): "
        "run pip install -r scripts/requirements-verify.txt",
        file=sys.stderr,
    )
    sys.exit(2)

sys.dont_write_bytecode = True  # leave no __pycache__ beside the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_export as vx  # noqa: E402

Bad = vx.Bad

MERGED_TYPE = "application/vnd.panelist.merged+json;version=4"
PAYLOAD_FORMAT = "panelist.merged.v4"
PLACES = 4
RULES = ("trimmed", "mean", "median")
LEFT_OUT_REASONS = ("invalid", "partial", "superseded", "duplicate")
MISSING_REASONS = ("no-key", "no-file", "left-out")
FINDING_RULES = (
    "consortium", "unit-limit", "direction", "previously-selected", "national-funding",
    "not-built", "multi-route", "authority-limit", "high-end-limit", "credit-code",
)
CHAIR_ROLE = "chair"
MAX_TEXT_CHARS = 20000

HEX64 = re.compile(r"[0-9a-f]{64}")
HEX32 = re.compile(r"[0-9a-f]{32}")
DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]{4}")
EXPERT_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
CRITERION_KEY = re.compile(r"[a-z_]+")

# ---------------------------------------------------------------------------
# Shapes: every object is closed (section 1), every field typed (section 8).


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


U32 = vx.U32


def t_int(v, path, lo=None, hi=None):
    return vx.t_int(v, path, lo, hi)


def t_u32(v, path, lo=0):
    return vx.t_int(v, path, lo, U32)


def t_bool(v, path):
    if not isinstance(v, bool):
        raise Bad(f"{path} is not a boolean")
    return v


def t_list(v, path):
    if not isinstance(v, list):
        raise Bad(f"{path} is not an array")
    return v


def t_dec(v, path):
    t_str(v, path)
    if not DECIMAL.fullmatch(v) or v == "-0.0000":
        raise Bad(f"{path} = {v!r} is not a decimal with {PLACES} places")
    return v


def t_opt(check, v, path, *args):
    return None if v is None else check(v, path, *args)


def check_rubric(r, path="rubric"):
    closed(r, path, ("min_comment_chars", "criteria"))
    t_u32(r["min_comment_chars"], f"{path}.min_comment_chars")
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


FIGURE_FIELDS = ("n", "mean", "median", "trimmed", "trimmed_applied", "std", "min", "max")


def check_figures(f, path):
    closed(f, path, FIGURE_FIELDS)
    t_u32(f["n"], f"{path}.n", 1)
    for k in ("mean", "median", "trimmed", "std"):
        t_dec(f[k], f"{path}.{k}")
    t_bool(f["trimmed_applied"], f"{path}.trimmed_applied")
    t_int(f["min"], f"{path}.min")
    t_int(f["max"], f"{path}.max")


def check_shape(p):
    """Section 8.1-8.6: fields and types of the whole payload."""
    closed(
        p,
        "payload",
        (
            "format", "tool_version", "created", "bundle", "chair", "rubric",
            "directions", "method", "inputs", "left_out", "missing", "excluded",
            "applications", "experts", "agreement", "opinions",
        ),
    )
    t_str(p["format"], "format")
    t_str(p["tool_version"], "tool_version")
    vx.t_time(p["created"], "created")
    b = closed(p["bundle"], "bundle", ("id", "digest", "call", "panel"))
    t_str(b["id"], "bundle.id", HEX32)
    t_str(b["digest"], "bundle.digest", HEX64)
    t_str(b["call"], "bundle.call")
    t_str(b["panel"], "bundle.panel")
    if p["chair"] is not None:
        c = closed(p["chair"], "chair", ("id", "name", "org", "key_id"))
        t_str(c["id"], "chair.id", EXPERT_ID)
        t_str(c["name"], "chair.name")
        t_str(c["org"], "chair.org")
        t_str(c["key_id"], "chair.key_id", HEX64)
    check_rubric(p["rubric"])
    for i, d in enumerate(t_list(p["directions"], "directions")):
        q = f"directions[{i}]"
        closed(d, q, ("code", "name_zh", "name_en", "short_zh", "short_en"))
        t_u32(d["code"], f"{q}.code")
        for k in ("name_zh", "name_en", "short_zh", "short_en"):
            t_str(d[k], f"{q}.{k}")
    m = closed(
        p["method"],
        "method",
        (
            "rule", "trim_min_n", "quorum", "disagreement_pct", "outlier_pct",
            "rank_shift", "z_min_scores", "sme_tiebreak", "allow_partial",
            "exclude_ineligible", "places",
            "rounding", "ranking", "tie_break", "flags", "zscore", "agreement",
        ),
    )
    if m["rule"] not in RULES:
        raise Bad(f"method.rule {m['rule']!r} is not one of {', '.join(RULES)}")
    for k in (
        "trim_min_n", "quorum", "disagreement_pct", "outlier_pct", "rank_shift",
        "z_min_scores", "places",
    ):
        t_u32(m[k], f"method.{k}")
    for k in ("sme_tiebreak", "allow_partial", "exclude_ineligible"):
        t_bool(m[k], f"method.{k}")
    for k in ("rounding", "ranking", "tie_break", "flags", "zscore", "agreement"):
        t_str(m[k], f"method.{k}")
    for i, inp in enumerate(t_list(p["inputs"], "inputs")):
        q = f"inputs[{i}]"
        closed(inp, q, ("file", "sha256", "expert", "name", "key_id", "head", "created", "partial"))
        t_str(inp["file"], f"{q}.file")
        t_str(inp["sha256"], f"{q}.sha256", HEX64)
        t_str(inp["expert"], f"{q}.expert", EXPERT_ID)
        t_str(inp["name"], f"{q}.name")
        t_str(inp["key_id"], f"{q}.key_id", HEX64)
        closed(inp["head"], f"{q}.head", ("size", "hash"))
        t_int(inp["head"]["size"], f"{q}.head.size", 0)
        t_str(inp["head"]["hash"], f"{q}.head.hash", HEX64)
        vx.t_time(inp["created"], f"{q}.created")  # the expert's clock: form only
        t_bool(inp["partial"], f"{q}.partial")
    for i, lo in enumerate(t_list(p["left_out"], "left_out")):
        q = f"left_out[{i}]"
        closed(lo, q, ("file", "sha256", "expert", "reason", "detail"))
        t_str(lo["file"], f"{q}.file")
        t_str(lo["sha256"], f"{q}.sha256", HEX64)
        t_opt(t_str, lo["expert"], f"{q}.expert")
        if lo["reason"] not in LEFT_OUT_REASONS:
            raise Bad(f"{q}.reason {lo['reason']!r} is not one of {', '.join(LEFT_OUT_REASONS)}")
        t_str(lo["detail"], f"{q}.detail")
        if "\n" in lo["detail"]:
            raise Bad(f"{q}.detail is more than one line")
    for i, ms in enumerate(t_list(p["missing"], "missing")):
        q = f"missing[{i}]"
        closed(ms, q, ("expert", "name", "reason", "detail"))
        t_str(ms["expert"], f"{q}.expert", EXPERT_ID)
        t_str(ms["name"], f"{q}.name")
        if ms["reason"] not in MISSING_REASONS:
            raise Bad(f"{q}.reason {ms['reason']!r} is not one of {', '.join(MISSING_REASONS)}")
        t_str(ms["detail"], f"{q}.detail")
    for i, x in enumerate(t_list(p["excluded"], "excluded")):
        q = f"excluded[{i}]"
        closed(x, q, ("id", "rules"))
        t_str(x["id"], f"{q}.id")
        for j, r in enumerate(t_list(x["rules"], f"{q}.rules")):
            t_str(r, f"{q}.rules[{j}]")
    for i, a in enumerate(t_list(p["applications"], "applications")):
        q = f"applications[{i}]"
        closed(
            a,
            q,
            (
                "id", "title", "lead_unit", "authority", "direction", "sme", "scorers",
                "recused", "by_expert", "criteria", "total", "recommend_yes",
                "recommend_no", "flags", "rank", "tie_break", "ranks", "findings",
                "opinion",
            ),
        )
        for k in ("id", "title", "lead_unit", "authority"):
            t_str(a[k], f"{q}.{k}")
        q = f"applications[{a['id']}]"
        t_u32(a["direction"], f"{q}.direction")
        t_bool(a["sme"], f"{q}.sme")
        for k in ("scorers", "recused"):
            for j, e in enumerate(t_list(a[k], f"{q}.{k}")):
                t_str(e, f"{q}.{k}[{j}]", EXPERT_ID)
        for j, m_ in enumerate(t_list(a["by_expert"], f"{q}.by_expert")):
            r = f"{q}.by_expert[{j}]"
            closed(m_, r, ("expert", "scores", "total", "recommend", "comment"))
            t_str(m_["expert"], f"{r}.expert", EXPERT_ID)
            if not isinstance(m_["scores"], dict):
                raise Bad(f"{r}.scores is not an object")
            for k, v in m_["scores"].items():
                t_int(v, f"{r}.scores.{k}")
            t_int(m_["total"], f"{r}.total")
            t_bool(m_["recommend"], f"{r}.recommend")
            t_str(m_["comment"], f"{r}.comment")
        if not isinstance(a["criteria"], dict):
            raise Bad(f"{q}.criteria is not an object")
        for k, f in a["criteria"].items():
            check_figures(f, f"{q}.criteria.{k}")
        if a["total"] is not None:
            check_figures(a["total"], f"{q}.total")
        t_u32(a["recommend_yes"], f"{q}.recommend_yes")
        t_u32(a["recommend_no"], f"{q}.recommend_no")
        fl = closed(
            a["flags"],
            f"{q}.flags",
            ("below_quorum", "high_disagreement", "all_recused", "rank_unstable", "outliers"),
        )
        for k in ("below_quorum", "high_disagreement", "all_recused", "rank_unstable"):
            t_bool(fl[k], f"{q}.flags.{k}")
        for j, e in enumerate(t_list(fl["outliers"], f"{q}.flags.outliers")):
            t_str(e, f"{q}.flags.outliers[{j}]", EXPERT_ID)
        t_opt(t_u32, a["rank"], f"{q}.rank", 1)
        t_opt(t_str, a["tie_break"], f"{q}.tie_break")
        if not isinstance(a["ranks"], dict):
            raise Bad(f"{q}.ranks is not an object")
        for k, v in a["ranks"].items():
            if k not in ("mean", "trimmed", "median", "zscore"):
                raise Bad(f"{q}.ranks has a field the format does not define: {k!r}")
            t_u32(v, f"{q}.ranks.{k}", 1)
        for j, fd in enumerate(t_list(a["findings"], f"{q}.findings")):
            r = f"{q}.findings[{j}]"
            closed(fd, r, ("rule", "source", "detail_zh", "detail_en"))
            if fd["rule"] not in FINDING_RULES:
                raise Bad(f"{r}.rule {fd['rule']!r} is not one of {', '.join(FINDING_RULES)}")
            for k in ("source", "detail_zh", "detail_en"):
                t_str(fd[k], f"{r}.{k}")
        if a["opinion"] is not None:
            o = closed(a["opinion"], f"{q}.opinion", ("text", "time", "seq"))
            t_str(o["text"], f"{q}.opinion.text")
            vx.t_time(o["time"], f"{q}.opinion.time")
            t_u32(o["seq"], f"{q}.opinion.seq", 1)
    if p["opinions"] is not None:
        o = closed(p["opinions"], "opinions", ("chair", "key_id", "events", "head"))
        t_str(o["chair"], "opinions.chair", EXPERT_ID)
        t_str(o["key_id"], "opinions.key_id", HEX64)
        t_int(o["events"], "opinions.events", 0, 2**53 - 1)
        t_str(o["head"], "opinions.head", HEX64)
    for i, s in enumerate(t_list(p["experts"], "experts")):
        q = f"experts[{i}]"
        closed(s, q, ("expert", "scored", "recused", "mean_given", "leniency"))
        t_str(s["expert"], f"{q}.expert", EXPERT_ID)
        t_int(s["scored"], f"{q}.scored", 0)
        t_int(s["recused"], f"{q}.recused", 0)
        t_opt(t_dec, s["mean_given"], f"{q}.mean_given")
        t_opt(t_dec, s["leniency"], f"{q}.leniency")
    for i, g in enumerate(t_list(p["agreement"], "agreement")):
        q = f"agreement[{i}]"
        closed(g, q, ("direction", "criterion", "pairable_values", "alpha"))
        t_int(g["direction"], f"{q}.direction")
        t_str(g["criterion"], f"{q}.criterion")
        t_int(g["pairable_values"], f"{q}.pairable_values", 0)
        t_opt(t_dec, g["alpha"], f"{q}.alpha")


# ---------------------------------------------------------------------------
# The method's words (section 8.2): fixed for this version and its parameters.


ROUNDING_WORDS = (
    "Every figure is computed exactly as a fraction of integer scores and "
    "published as a decimal string with 4 places, rounded half away from "
    "zero. std is the sample standard deviation sqrt(Σ(x − mean)² / (n − 1)) "
    "(0 when n < 2): the square root of the exact variance rounded to the "
    "nearest 0.0001, exactly halfway rounding up. mean = Σx / n; median = the "
    "middle value, or the mean of the two middle values; trimmed = the mean "
    "without one lowest and one highest value when n ≥ trim_min_n, else the "
    "mean."
)
RANKING_WORDS = (
    "Within each direction, applications with at least one complete score are "
    "ranked by the chosen rule's statistic of the weighted totals, highest "
    "first, in competition ranking (1, 2, 2, 4). Applications with equal "
    "statistics are ordered by the declared tie-break; those still equal "
    "share a rank."
)
FLAGS_WORDS = (
    "below_quorum: fewer than quorum complete scores. high_disagreement: (max "
    "− min) × 100 ≥ disagreement_pct × (maximum total − minimum total of the "
    "rubric). all_recused: every expert of the merge recused. outliers: "
    "experts whose total t satisfies |t − median| × 100 ≥ outlier_pct × "
    "(maximum total − minimum total)."
)
ZSCORE_WORDS = (
    "zscore rank: each expert's totals are normalised by that expert's mean "
    "and sample standard deviation over every application they scored (z = (t "
    "− mean) / sd, 0 when sd = 0); an application's z-total is the mean of "
    "its scorers' z; computed in IEEE 754 double precision in this order and "
    "rounded to 1e-9 before ranking. Given only in a direction where every "
    "expert who scored there has at least z_min_scores scores. rank_unstable: "
    "the ranks under mean, trimmed, median and zscore differ by more than "
    "rank_shift places."
)
AGREEMENT_WORDS = (
    "Krippendorff's alpha, interval metric, per direction and criterion: "
    "units are the direction's applications, values the complete scores of "
    "the criterion; units with fewer than 2 values are left out; n = Σ m_u. "
    "D_o = (1/n) Σ_u 1/(m_u − 1) Σ_{i≠j in u} (v_i − v_j)²; D_e = 1/(n(n − "
    "1)) Σ_{i≠j over all n values} (v_i − v_j)²; alpha = 1 − D_o / D_e, "
    "exact, rounded as every figure; null when n < 2 or D_e = 0."
)
TIE_BREAK_SME_WORDS = (
    "lead unit a small or micro enterprise first (同等条件下优先推荐中小微企业的项目, 2020 "
    "call), then the higher innovation (创新性) score under the rule"
)
TIE_BREAK_WORDS = (
    "the higher innovation (创新性) score under the rule"
)


def method_words(m):
    """The words panelist.merged.v4 states for the method's parameters (8.2)."""
    return {
        "rounding": ROUNDING_WORDS,
        "ranking": RANKING_WORDS,
        "tie_break": TIE_BREAK_SME_WORDS if m["sme_tiebreak"] else TIE_BREAK_WORDS,
        "flags": FLAGS_WORDS,
        "zscore": ZSCORE_WORDS,
        "agreement": AGREEMENT_WORDS,
    }


# ---------------------------------------------------------------------------
# Exact arithmetic (section 8.4).


def dec(f):
    """An exact fraction with PLACES decimals, rounded half away from zero."""
    q = abs(Fraction(f)) * 10**PLACES
    n = q.numerator // q.denominator
    if 2 * (q - n) >= 1:
        n += 1
    sign = "-" if f < 0 and n else ""
    return f"{sign}{n // 10**PLACES}.{n % 10**PLACES:0{PLACES}d}"


def root_dec(v):
    """sqrt(v) to PLACES decimals: the integer m with (m - 1/2)^2 <= v*10^8 < (m + 1/2)^2."""
    y = Fraction(v) * 4 * 10 ** (2 * PLACES)  # (2m - 1)^2 <= y < (2m + 1)^2
    j = math.isqrt(y.numerator // y.denominator)
    if j % 2 == 0:
        j -= 1  # the largest odd j with j^2 <= y (-1 when y < 1)
    m = (j + 1) // 2
    return f"{m // 10**PLACES}.{m % 10**PLACES:0{PLACES}d}"


def figures(xs, trim_min_n):
    """(written figures, exact statistics) of integer values xs (n >= 1)."""
    n = len(xs)
    s = sorted(xs)
    mean = Fraction(sum(xs), n)
    median = Fraction(s[n // 2]) if n % 2 else Fraction(s[n // 2 - 1] + s[n // 2], 2)
    applied = n >= trim_min_n
    trimmed = Fraction(sum(s[1:-1]), n - 2) if applied else mean
    if n >= 2:
        std = root_dec(sum((x - mean) ** 2 for x in xs) / (n - 1))
    else:
        std = dec(0)
    written = {
        "n": n,
        "mean": dec(mean),
        "median": dec(median),
        "trimmed": dec(trimmed),
        "trimmed_applied": applied,
        "std": std,
        "min": s[0],
        "max": s[-1],
    }
    return written, {"mean": mean, "median": median, "trimmed": trimmed}


def round_half_away(x):
    """A double rounded to the nearest integer, halves away from zero."""
    a = abs(x)
    f = math.floor(a)
    if a - f >= 0.5:
        f += 1
    return -f if x < 0 else f


def competition_ranks(ids, ahead):
    """1 + the number of applications strictly ahead."""
    return {a: 1 + sum(1 for o in ids if ahead(o, a)) for a in ids}


def pair_sum(vs):
    """Sum over ordered pairs i != j of (v_i - v_j)^2."""
    m = len(vs)
    return 2 * (m * sum(v * v for v in vs) - sum(vs) ** 2)


# ---------------------------------------------------------------------------
# Recomputation (sections 8.4-8.6) from the marks: per application, the
# complete entries {expert: (scores, total, recommend)} and the recused experts.


def recompute(p, marks, recused):
    """The applications, experts and agreement a merge of these marks yields."""
    m = p["method"]
    rubric = p["rubric"]
    crit = rubric["criteria"]
    keys = [c["key"] for c in crit]
    first = "innovation" if "innovation" in keys else keys[0]
    scale = sum(c["weight"] * c["max"] for c in crit) - sum(c["weight"] * c["min"] for c in crit)
    scale = max(scale, 1)  # a rubric without range: section 8.5
    rule = m["rule"]
    experts = [i["expert"] for i in p["inputs"]]
    apps = {}
    stats = {}
    for a in p["applications"]:
        aid = a["id"]
        mk = marks.get(aid, {})
        scorers = sorted(mk)
        totals = [mk[e][1] for e in scorers]
        out = {
            "id": aid,
            "title": a["title"],
            "lead_unit": a["lead_unit"],
            "authority": a["authority"],
            "direction": a["direction"],
            "sme": a["sme"],
            "scorers": scorers,
            "recused": sorted(recused.get(aid, ())),
            "by_expert": [
                {
                    "expert": e,
                    "scores": dict(mk[e][0]),
                    "total": mk[e][1],
                    "recommend": mk[e][2],
                    "comment": mk[e][3],
                }
                for e in scorers
            ],
            "criteria": {},
            "total": None,
            "recommend_yes": sum(1 for e in scorers if mk[e][2] is True),
            "recommend_no": sum(1 for e in scorers if mk[e][2] is False),
        }
        n = len(scorers)
        st = None
        if n:
            crit_stats = {}
            for k in keys:
                values = [mk[e][0][k] for e in scorers]
                out["criteria"][k], crit_stats[k] = figures(values, m["trim_min_n"])
            out["total"], st = figures(totals, m["trim_min_n"])
            st = {"total": st, "first": crit_stats[first]}
        stats[aid] = st
        if n:
            med = st["total"]["median"]
            far = m["outlier_pct"] * scale
            outliers = [e for e, t in zip(scorers, totals) if abs(t - med) * 100 >= far]
            high = (max(totals) - min(totals)) * 100 >= m["disagreement_pct"] * scale
        else:
            outliers, high = [], False
        out["flags"] = {
            "below_quorum": n < m["quorum"],
            "high_disagreement": high,
            "all_recused": bool(experts) and set(out["recused"]) == set(experts),
            "rank_unstable": False,
            "outliers": outliers,
        }
        out["rank"] = None
        out["tie_break"] = None
        out["ranks"] = {}
        out["findings"] = a["findings"]
        # The chair's words, not figures: checked by check_opinions and,
        # with the log, by check_opinion_log.
        out["opinion"] = a["opinion"]
        apps[aid] = out

    # z-scores (section 8.5): every expert over every application scored.
    per = {}
    for aid, mk in marks.items():
        for e, (_, t, _, _) in mk.items():
            per.setdefault(e, []).append(t)
    norm = {}
    for e, ts in per.items():
        k, s1, s2 = len(ts), sum(ts), sum(t * t for t in ts)
        mean_e = float(Fraction(s1, k))
        sd_e = math.sqrt(float(Fraction(k * s2 - s1 * s1, k * (k - 1)))) if k >= 2 else 0.0
        norm[e] = (k, mean_e, sd_e)

    def zkey(aid):
        s = 0.0
        for e in apps[aid]["scorers"]:
            _, mean_e, sd_e = norm[e]
            s += (float(marks[aid][e][1]) - mean_e) / sd_e if sd_e != 0 else 0.0
        return round_half_away(s / len(apps[aid]["scorers"]) * 1e9)

    # Ranks per direction (section 8.5).
    for d in p["directions"]:
        ids = [a["id"] for a in p["applications"] if a["direction"] == d["code"] and stats[a["id"]]]
        key = {
            a: (
                stats[a]["total"][rule],
                apps[a]["sme"] if m["sme_tiebreak"] else False,
                stats[a]["first"][rule],
            )
            for a in ids
        }

        def ahead(o, a):
            return key[o] > key[a]  # tuples: statistic, then SME (True first), then the first criterion

        for a, r in competition_ranks(ids, ahead).items():
            apps[a]["rank"] = r
            tied = sorted(o for o in ids if o != a and key[o][0] == key[a][0])
            if tied:
                still = [o for o in tied if key[o] == key[a]]
                note = f"tied on {rule} with {', '.join(tied)}; "
                if still:
                    note += f"still tied with {', '.join(still)}, rank shared"
                else:
                    note += "broken by the tie-break"
                apps[a]["tie_break"] = note
        for stat in ("mean", "trimmed", "median"):
            alone = {a: stats[a]["total"][stat] for a in ids}
            for a, r in competition_ranks(ids, lambda o, a: alone[o] > alone[a]).items():
                apps[a]["ranks"][stat] = r
        scored_here = {e for a in ids for e in apps[a]["scorers"]}
        if ids and all(norm[e][0] >= m["z_min_scores"] for e in scored_here):
            z = {a: zkey(a) for a in ids}
            for a, r in competition_ranks(ids, lambda o, a: z[o] > z[a]).items():
                apps[a]["ranks"]["zscore"] = r
        for a in ids:
            rs = apps[a]["ranks"].values()
            apps[a]["flags"]["rank_unstable"] = max(rs) - min(rs) > m["rank_shift"]

    # Panel statistics (section 8.6).
    stat_experts = []
    for e in experts:
        mine = [(aid, mk[e][1]) for aid, mk in marks.items() if e in mk]
        given = [t for _, t in mine]
        stat_experts.append(
            {
                "expert": e,
                "scored": len(mine),
                "recused": sum(1 for r in recused.values() if e in r),
                "mean_given": dec(Fraction(sum(given), len(given))) if given else None,
                "leniency": (
                    dec(sum(t - stats[aid]["total"]["mean"] for aid, t in mine) / len(mine))
                    if mine
                    else None
                ),
            }
        )
    agreement = []
    for d in p["directions"]:
        for k in keys:
            units = [
                [mk[e][0][k] for e in sorted(mk)]
                for a in p["applications"]
                if a["direction"] == d["code"] and len(mk := marks.get(a["id"], {})) >= 2
            ]
            n = sum(len(u) for u in units)
            alpha = None
            if n >= 2:
                d_o = sum(Fraction(pair_sum(u), len(u) - 1) for u in units) / n
                d_e = Fraction(pair_sum([v for u in units for v in u]), n * (n - 1))
                if d_e != 0:
                    alpha = dec(1 - d_o / d_e)
            agreement.append(
                {"direction": d["code"], "criterion": k, "pairable_values": n, "alpha": alpha}
            )
    return [apps[a["id"]] for a in p["applications"]], stat_experts, agreement


def excluded_of(p):
    """Section 8.9: the applications left out of the ranking — those with
    findings when the method excludes them, none otherwise."""
    if not p["method"]["exclude_ineligible"]:
        return []
    out = []
    for a in p["applications"]:
        if a["findings"]:
            rules = []
            for f in a["findings"]:
                if f["rule"] not in rules:
                    rules.append(f["rule"])
            out.append({"id": a["id"], "rules": rules})
    return out


def recompute_all(p, marks, recused):
    """recompute, with the excluded applications aggregated apart: the
    others are ranked and give the experts' statistics and the agreement;
    the excluded keep their figures and flags but no rank."""
    ex = {x["id"] for x in excluded_of(p)}
    if not ex:
        return recompute(p, marks, recused)

    def part(keep):
        q = dict(p)
        q["applications"] = [a for a in p["applications"] if keep(a["id"])]
        codes = {a["direction"] for a in q["applications"]}
        q["directions"] = [d for d in p["directions"] if d["code"] in codes]
        return recompute(
            q,
            {k: v for k, v in marks.items() if keep(k)},
            {k: v for k, v in recused.items() if keep(k)},
        )

    ranked, experts, agreement = part(lambda i: i not in ex)
    left, _, _ = part(lambda i: i in ex)
    for a in left:
        a["rank"], a["tie_break"], a["ranks"] = None, None, {}
        a["flags"]["rank_unstable"] = False
    by_id = {a["id"]: a for a in ranked + left}
    return [by_id[a["id"]] for a in p["applications"]], experts, agreement


# ---------------------------------------------------------------------------
# Comparison: the first difference, named by its path.


def shown(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))


def first_diff(path, got, want):
    if isinstance(want, dict) and isinstance(got, dict):
        for k in want:
            if k not in got:
                return f"{path}.{k}: absent from the file, recomputed {shown(want[k])}"
            d = first_diff(f"{path}.{k}", got[k], want[k])
            if d:
                return d
        for k in got:
            if k not in want:
                return f"{path}.{k}: file {shown(got[k])}, recomputed nothing"
        return None
    if isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            sub = f"{path}[{w['expert']}]" if isinstance(w, dict) and "expert" in w else f"{path}[{i}]"
            d = first_diff(sub, g, w)
            if d:
                return d
        return None
    if type(got) is not type(want) or got != want:
        return f"{path}: file {shown(got)}, recomputed {shown(want)}"
    return None


# ---------------------------------------------------------------------------
# The envelope, the signature and the consistency of the payload.


def roster_key(entry, what):
    if not entry.get("public_key") or not entry.get("key_id"):
        raise Bad(f"roster entry {entry.get('id')!r} has no public key ({what})")
    try:
        pk = bytes.fromhex(entry["public_key"])
    except (TypeError, ValueError):
        raise Bad(f"roster entry {entry.get('id')!r}: public_key is not hex") from None
    if hashlib.sha256(pk).hexdigest() != entry["key_id"]:
        raise Bad(f"roster entry {entry.get('id')!r}: key_id is not SHA-256(public_key)")


def open_envelope(text, roster):
    """Sections 1, 2, 6 and 8.7 steps 1-2; returns (payload, chair entry)."""
    env, body, payload = vx.open_dsse(text)
    if env["payloadType"] != MERGED_TYPE:
        raise Bad(f"payloadType {env['payloadType']!r} is not {MERGED_TYPE}")
    sigs = env["signatures"]
    if not isinstance(sigs, list):
        raise Bad("signatures is not an array")
    if not sigs:
        raise Bad("unsigned merged result (a draft): it carries no chair's signature")
    if len(sigs) != 1:
        raise Bad(f"a merged result carries exactly one signature, this one {len(sigs)}")
    sig = closed(sigs[0], "signatures[0]", ("keyid", "sig"))
    keyid = t_str(sig["keyid"], "signatures[0].keyid")
    entries = [e for e in roster if isinstance(e, dict) and e.get("key_id") == keyid]
    if not entries:
        raise Bad(f"signed with key {keyid[:16]}…, which is not in the roster")
    if len(entries) > 1:
        raise Bad(f"key {keyid[:16]}… is in the roster more than once")
    entry = entries[0]
    if entry.get("role") != "chair":
        raise Bad(f'signed by {entry.get("id")}, whose roster entry does not have "role": "chair"')
    roster_key(entry, "the chair")
    try:
        raw = base64.b64decode(t_str(sig["sig"], "signatures[0].sig"), validate=True)
    except ValueError:
        raise Bad("sig is not base64") from None
    msg = vx.pae(env["payloadType"], body)
    if not vx.verify_signature(entry, msg, raw):
        raise Bad("signature does not verify (payload or signature altered)")
    check_shape(payload)
    if payload["format"] != PAYLOAD_FORMAT:
        raise Bad(f"payload format {payload['format']!r} is not {PAYLOAD_FORMAT}")
    chair = payload["chair"]
    if chair is None:
        raise Bad("chair is null although the file is signed")
    if chair["id"] != entry.get("id") or chair["key_id"] != entry["key_id"]:
        raise Bad(
            f"chair names {chair['id']} (key {chair['key_id'][:16]}…), "
            f"but {entry.get('id')} (key {entry['key_id'][:16]}…) signed"
        )
    return payload, entry


def check_consistency(p, roster):
    """Section 8.7 step 3, and the orders and uniqueness of 8.1-8.6."""
    m = p["method"]
    if m["places"] != PLACES:
        raise Bad(f"method.places is {m['places']}, this version writes {PLACES}")
    if m["trim_min_n"] < 3:
        raise Bad(f"method.trim_min_n is {m['trim_min_n']}: trimming needs at least 3 values")
    for k, w in method_words(m).items():
        if m[k] != w:
            raise Bad(f"method.{k}: the words are not this version's for its parameters (file {m[k]!r})")
    codes = [d["code"] for d in p["directions"]]
    if codes != sorted(set(codes)):
        raise Bad("directions are not in code order, once each")
    inputs = p["inputs"]
    experts = [i["expert"] for i in inputs]
    if not experts:
        raise Bad("no inputs: a merged result merges at least one expert file")
    if experts != sorted(set(experts)):
        raise Bad("inputs are not in expert id order, one per expert")
    by_id = {}
    for e in roster:
        if isinstance(e, dict) and isinstance(e.get("id"), str):
            by_id.setdefault(e["id"], []).append(e)
    for i in inputs:
        found = by_id.get(i["expert"], [])
        if not found:
            raise Bad(f"inputs[{i['expert']}]: expert {i['expert']} is not in the roster")
        if not any(e.get("key_id") == i["key_id"] for e in found):
            raise Bad(f"inputs[{i['expert']}]: key {i['key_id'][:16]}… is not the roster's key of {i['expert']}")
        if i["partial"] and not m["allow_partial"]:
            raise Bad(f"inputs[{i['expert']}]: a partial file merged without allow_partial")
    shas = [i["sha256"] for i in inputs]
    if len(set(shas)) != len(shas):
        raise Bad("two inputs have the same sha256")
    for lo in p["left_out"]:
        if lo["sha256"] in shas:
            raise Bad(f"left_out {lo['file']} has the bytes of a merged input")
    want_missing = [
        e["id"]
        for e in roster
        if isinstance(e, dict)
        and isinstance(e.get("id"), str)
        and e.get("role") != CHAIR_ROLE
        and e["id"] not in experts
    ]
    got_missing = [ms["expert"] for ms in p["missing"]]
    if got_missing != want_missing:
        raise Bad(
            f"missing lists {got_missing}, but the roster experts without a merged file are {want_missing}"
        )
    for ms in p["missing"]:
        named = any(lo["expert"] == ms["expert"] for lo in p["left_out"])
        if (ms["reason"] == "left-out") != named:
            raise Bad(f"missing[{ms['expert']}].reason {ms['reason']!r} does not agree with left_out")
    if p["excluded"] != excluded_of(p):
        raise Bad(
            "excluded is not the applications with findings "
            "(or the method does not exclude them)"
        )
    excluded_ids = {x["id"] for x in p["excluded"]}
    crit_keys = [c["key"] for c in p["rubric"]["criteria"]]
    ids = [a["id"] for a in p["applications"]]
    if len(set(ids)) != len(ids):
        raise Bad("an application appears twice")
    used = set()
    for a in p["applications"]:
        q = f"applications[{a['id']}]"
        if a["direction"] not in codes:
            raise Bad(f"{q}.direction {a['direction']} is not among the directions")
        used.add(a["direction"])
        sc, rc = a["scorers"], a["recused"]
        for k, lst in (("scorers", sc), ("recused", rc)):
            if lst != sorted(set(lst)):
                raise Bad(f"{q}.{k} is not in id order, once each")
            for e in lst:
                if e not in experts:
                    raise Bad(f"{q}.{k}: {e} is not an input")
        if set(sc) & set(rc):
            raise Bad(f"{q}: an expert both scored and recused")
        if [b["expert"] for b in a["by_expert"]] != sc:
            raise Bad(f"{q}.by_expert: the experts are not the scorers")
        n = len(sc)
        if a["recommend_yes"] + a["recommend_no"] > n:
            raise Bad(f"{q}: more recommendations than scorers")
        if n:
            if a["total"] is None or a["total"]["n"] != n:
                raise Bad(f"{q}.total.n is not the number of scorers ({n})")
            if sorted(a["criteria"]) != sorted(crit_keys):
                raise Bad(f"{q}.criteria: not one figure per rubric criterion")
            for k, f in a["criteria"].items():
                if f["n"] != n:
                    raise Bad(f"{q}.criteria.{k}.n is not the number of scorers ({n})")
        elif a["total"] is not None or a["criteria"]:
            raise Bad(f"{q}: figures without scorers")
        if a["id"] in excluded_ids:
            if a["rank"] is not None or a["tie_break"] is not None or a["ranks"]:
                raise Bad(f"{q}: excluded from the ranking, yet ranked")
        elif (a["rank"] is None) != (a["total"] is None):
            raise Bad(f"{q}: a rank must be given exactly when there is a total")
    if used != set(codes):
        raise Bad("directions lists a direction without applications")
    if [s["expert"] for s in p["experts"]] != experts:
        raise Bad("experts[] is not one entry per input, in inputs order")
    check_opinions(p)


def check_opinions(p):
    """Section 8.10: the panel's opinions agree with the log they name."""
    r = p["opinions"]
    if r is None:
        for a in p["applications"]:
            if a["opinion"] is not None:
                raise Bad(
                    f"applications[{a['id']}]: an opinion, but the result names "
                    "no opinion log (opinions is null)"
                )
        return
    if p["chair"] is not None and p["chair"]["id"] != r["chair"]:
        raise Bad(f"the opinions were written by {r['chair']}, not by the signing chair")
    seqs = set()
    for a in p["applications"]:
        o = a["opinion"]
        if o is None:
            continue
        q = f"applications[{a['id']}].opinion"
        if not 1 <= o["seq"] <= r["events"] or o["seq"] in seqs:
            raise Bad(f"{q}: seq {o['seq']} is not one event of the log's {r['events']}")
        seqs.add(o["seq"])
        if o["text"] == "":
            raise Bad(f"{q}: empty text")
        if len(o["text"]) > MAX_TEXT_CHARS:
            raise Bad(f"{q}: {len(o['text'])} characters, over the limit")


OPINIONS_APPLICATION_ID = 0x504E4C4F
OPINIONS_FORMAT = "panelist.opinions.v1"
OPINION_GENESIS_TAG = b"panelist.opinions.genesis.v1\n"
OPINION_TAG = b"panelist.opinion.v1\n"
EVENT_SIG_CONTEXT = b"panelist.event-signature.v1\0"


def chair_keys(roster, chair):
    """The chair's roster entry and its accepted keys (current, previous)."""
    found = [
        e for e in roster
        if isinstance(e, dict) and e.get("id") == chair and e.get("role") == CHAIR_ROLE
    ]
    if len(found) != 1:
        raise Bad(f"the opinion log is {chair}'s, but the roster names no chair {chair}")
    e = found[0]
    roster_key(e, "the chair")
    keys = [e]
    for pk in e.get("previous_keys") or []:
        keys.append({"id": e["id"], "alg": pk.get("alg"), "public_key": pk.get("public_key"),
                     "sm2_id": pk.get("sm2_id")})
    return keys


def check_opinion_log(p, path, roster):
    """Section 8.10: the log recomputed — schema facts, chain, every event
    signed by the chair's key — and its final opinions equal to the file's."""
    import sqlite3

    r = p["opinions"]
    if r is None:
        raise Bad("an opinion log was given, but the result names none (opinions is null)")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        if app_id != OPINIONS_APPLICATION_ID:
            raise Bad(f"{path}: not a panelist opinion log")
        meta = dict(con.execute("SELECT key, value FROM meta"))
        rows = con.execute("SELECT seq, body, prev, hash, sig FROM events ORDER BY seq").fetchall()
    except sqlite3.Error as e:
        raise Bad(f"{path}: cannot read the opinion log ({e})") from None
    if meta.get("format") != OPINIONS_FORMAT:
        raise Bad(f"{path}: format {meta.get('format')!r} is not {OPINIONS_FORMAT}")
    if meta.get("bundle_digest") != p["bundle"]["digest"]:
        raise Bad(f"{path}: the opinion log is of another bundle")
    if meta.get("chair") != r["chair"]:
        raise Bad(f"{path}: the log is {meta.get('chair')}'s, the result names {r['chair']}")
    keys = chair_keys(roster, r["chair"])
    prev = hashlib.sha256(
        OPINION_GENESIS_TAG + bytes.fromhex(meta["bundle_digest"]) + r["chair"].encode("utf-8")
    ).digest()
    finals = {}
    for i, (seq, body, prev_hex, hash_hex, sig) in enumerate(rows):
        q = f"{path}: event {seq}"
        if seq != i + 1:
            raise Bad(f"{q}: expected seq {i + 1}")
        b = vx.loads_strict(body)
        closed(b, q, ("app", "chair", "text", "time", "type"))
        if b["type"] != "opinion" or b["chair"] != r["chair"]:
            raise Bad(f"{q}: not an opinion of chair {r['chair']}")
        canon = vx.rfc8785.dumps(b)
        if canon != body.encode("utf-8"):
            raise Bad(f"{q}: the stored body is not canonical")
        if prev_hex != prev.hex():
            raise Bad(f"{q}: prev is not the hash before it")
        h = hashlib.sha256(OPINION_TAG + seq.to_bytes(8, "big") + prev + canon).digest()
        if h.hex() != hash_hex:
            raise Bad(f"{q}: the hash does not match the content")
        try:
            raw = base64.b64decode(sig, validate=True)
        except ValueError:
            raise Bad(f"{q}: the signature is not base64") from None
        if not any(vx.verify_signature(k, EVENT_SIG_CONTEXT + h, raw) for k in keys):
            raise Bad(f"{q}: not signed by chair {r['chair']}'s key")
        if b["text"] == "":
            finals.pop(b["app"], None)
        else:
            finals[b["app"]] = {"text": b["text"], "time": b["time"], "seq": seq}
        prev = h
    if len(rows) != r["events"] or prev.hex() != r["head"]:
        raise Bad(
            f"{path}: the log has {len(rows)} events ending at {prev.hex()[:16]}…, "
            f"the result names {r['events']} ending at {r['head'][:16]}…"
        )
    for a in p["applications"]:
        if a["opinion"] != finals.pop(a["id"], None):
            raise Bad(f"applications[{a['id']}].opinion is not the log's final opinion")
    if finals:
        raise Bad(f"{path}: opinions on applications not in the result: {sorted(finals)}")
    return len(rows)


def marks_of_payload(p):
    """The marks the file itself carries (by_expert and recused)."""
    crit = p["rubric"]["criteria"]
    marks, recused = {}, {}
    for a in p["applications"]:
        for b in a["by_expert"]:
            q = f"applications[{a['id']}].by_expert[{b['expert']}]"
            if sorted(b["scores"]) != sorted(c["key"] for c in crit):
                raise Bad(f"{q}.scores: not one score per rubric criterion")
            for c in crit:
                v = b["scores"][c["key"]]
                if not (c["min"] <= v <= c["max"] and (v - c["min"]) % c["step"] == 0):
                    raise Bad(f"{q}.scores.{c['key']} = {v} is outside the rubric")
            total = sum(b["scores"][c["key"]] * c["weight"] for c in crit)
            marks.setdefault(a["id"], {})[b["expert"]] = (
                b["scores"], total, b["recommend"], b["comment"]
            )
        if a["recused"]:
            recused[a["id"]] = set(a["recused"])
    return marks, recused


# ---------------------------------------------------------------------------
# The expert files (section 8.3 and 8.7, last paragraph).


def read_expert(name, roster):
    """(sha256, verified payload or None, why it does not verify or None)."""
    with open(name, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8-sig")
    sha = hashlib.sha256(raw).hexdigest()
    try:
        _, payload = vx.verify_payload(text, roster)
    except Bad as e:
        return sha, None, str(e)
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as e:
        return sha, None, f"malformed payload ({type(e).__name__}: {e})"
    return sha, payload, None


def input_record(sha, fp):
    return {
        "sha256": sha,
        "expert": fp["expert"]["id"],
        "name": fp["expert"]["name"],
        "key_id": fp["expert"]["key_id"],
        "head": fp["head"],
        "created": fp["created"],
        "partial": fp["partial"],
    }


def extends(old, new):
    """Section 8.3 "superseded": old's history is the first events of new's."""
    n = old["head"]["size"]
    h = new["history"]
    return (
        n < new["head"]["size"]
        and h[:n] == old["history"]
        and vx.verify_chain(new["bundle"]["digest"], new["expert"]["id"], h[:n]).hex()
        == old["head"]["hash"]
    )


def marks_of_files(p, files):
    """Verifies and matches the expert files; returns their marks."""
    shas_in = {i["sha256"]: i for i in p["inputs"]}
    left = {lo["sha256"]: lo for lo in p["left_out"]}
    matched, unknown, left_given = {}, [], []
    seen = set()
    for name, (sha, fp, why) in files.items():
        if sha in seen:
            continue
        seen.add(sha)
        base = os.path.basename(name)
        if sha in shas_in:
            if fp is None:
                raise Bad(f"expert file {base} (inputs[{shas_in[sha]['expert']}]) does not verify: {why}")
            matched[shas_in[sha]["expert"]] = (base, sha, fp)
        elif sha in left:
            left_given.append((base, sha, fp, why))
        elif fp is None:
            raise Bad(f"expert file {base} does not verify: {why}")
        else:
            unknown.append((base, sha, fp))
    for i in p["inputs"]:
        e = i["expert"]
        if e in matched:
            base, sha, fp = matched[e]
        else:
            mine = [u for u in unknown if u[2]["expert"]["id"] == e]
            if not mine:
                raise Bad(f"inputs[{e}]: no expert file given for {e} ({i['file']}, sha256 {i['sha256'][:16]}…)")
            base, sha, fp = mine[0]
            unknown.remove(mine[0])
        rec = input_record(sha, fp)
        for k in ("expert", "sha256", "name", "key_id", "head", "created", "partial"):
            if i[k] != rec[k]:
                raise Bad(f"inputs[{e}].{k}: file {shown(i[k])}, given {base} has {shown(rec[k])}")
        matched[e] = (base, sha, fp)
    if unknown:
        base, _, fp = unknown[0]
        raise Bad(f"expert file {base} (expert {fp['expert']['id']}) is neither an input nor left out of this merge")
    for base, sha, fp, why in left_given:
        lo = left[sha]
        q = f"left_out {base}"
        if lo["reason"] == "invalid":
            if fp is not None:
                raise Bad(f"{q} is said to be invalid, but it verifies")
            continue
        if fp is None:
            raise Bad(f"{q} ({lo['reason']}) does not verify: {why}")
        e = fp["expert"]["id"]
        if lo["expert"] != e:
            raise Bad(f"{q}: file says expert {shown(lo['expert'])}, the file is {e}'s")
        newer = matched.get(e)
        if lo["reason"] == "partial":
            if not fp["partial"] or p["method"]["allow_partial"]:
                raise Bad(f"{q} is said to be left out as partial")
        elif lo["reason"] == "superseded":
            if newer is None or not extends(fp, newer[2]):
                raise Bad(f"{q} is said to be superseded, but no merged input of {e} extends its history")
        elif lo["reason"] == "duplicate":
            if newer is None or newer[2]["history"] != fp["history"]:
                raise Bad(f"{q} is said to be a duplicate, but no merged input has its history")
    # Every file: the same bundle, rubric and applications as the merge.
    ids = [a["id"] for a in p["applications"]]
    crit = p["rubric"]["criteria"]
    marks, recused = {}, {}
    for i in p["inputs"]:
        e = i["expert"]
        base, _, fp = matched[e]
        if fp["bundle"] != p["bundle"]:
            raise Bad(f"expert file {base} is of another bundle ({fp['bundle']['id']})")
        if fp["rubric"] != p["rubric"]:
            raise Bad(f"expert file {base} has another rubric than the merge")
        if [a["id"] for a in fp["applications"]] != ids:
            raise Bad(f"expert file {base} lists other applications than the merge")
        for a in fp["applications"]:
            if a["status"] == "complete":
                total = sum(a["scores"][c["key"]] * c["weight"] for c in crit)
                marks.setdefault(a["id"], {})[e] = (
                    a["scores"], total, a["recommend"], a["comment"]
                )
            elif a["status"] == "recused":
                recused.setdefault(a["id"], set()).add(e)
    return marks, recused


def verify_merged(text, roster, files, opinions=None):
    p, entry = open_envelope(text, roster)
    check_consistency(p, roster)
    log_note = ""
    if opinions is not None:
        n = check_opinion_log(p, opinions, roster)
        log_note = f"; opinions match the chair's log ({n} events)"
    if files:
        marks, recused = marks_of_files(p, files)
    else:
        marks, recused = marks_of_payload(p)
    apps, experts, agreement = recompute_all(p, marks, recused)
    for got, want in zip(p["applications"], apps):
        d = first_diff(f"applications[{want['id']}]", got, want)
        if d:
            raise Bad(d)
    for got, want in zip(p["experts"], experts):
        d = first_diff(f"experts[{want['expert']}]", got, want)
        if d:
            raise Bad(d)
    if len(p["agreement"]) != len(agreement):
        raise Bad(
            f"agreement: file {len(p['agreement'])} entries, recomputed {len(agreement)} "
            "(one per direction and criterion)"
        )
    for got, want in zip(p["agreement"], agreement):
        d = first_diff(f"agreement[{want['direction']}/{want['criterion']}]", got, want)
        if d:
            raise Bad(d)
    how = (
        f"every figure recomputed from {len(p['inputs'])} expert files"
        if files
        else "figures recomputed from the file's own marks (no expert files given)"
    )
    return (
        f"merged result by {entry['id']} ({entry.get('name', '')})  {len(p['inputs'])} experts, "
        f"{len(p['applications'])} applications, rule {p['method']['rule']}; {how}{log_note}"
    )


def read_roster(path, prog):
    """The roster at `path` (a JSON array), or None after saying why on
    stderr as `prog: path: reason`."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            roster = vx.loads_strict(f.read())
        if not isinstance(roster, list):
            raise Bad("a roster is a JSON array")
        return roster
    except (OSError, UnicodeDecodeError, Bad) as e:
        print(f"{prog}: {path}: {e}", file=sys.stderr)
        return None


def read_signed_text(path, prog):
    """The signed file's text, or None after saying why on stderr."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        print(f"{prog}: {path}: {e}", file=sys.stderr)
        return None


def verdict(name, check):
    """Prints `OK  name  summary` or `BAD name  reason` for `check()`;
    the exit status (0 good, 1 bad)."""
    try:
        print(f"OK  {name}  {check()}")
        return 0
    except Bad as e:
        print(f"BAD {name}  {e}")
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError) as e:
        print(f"BAD {name}  malformed payload ({type(e).__name__}: {e})")
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("merged", help="the chair's merged result (JSON)")
    ap.add_argument("experts", nargs="*", help="the experts' signed score files it merged")
    ap.add_argument("--roster", required=True, help="JSON array of roster entries")
    ap.add_argument("--opinions", help="the chair's opinion log (SQLite) the result names")
    args = ap.parse_intermixed_args()
    roster = read_roster(args.roster, "verify_merged.py")
    if roster is None:
        return 2
    text = read_signed_text(args.merged, "verify_merged.py")
    if text is None:
        return 2
    files = {}
    for name in args.experts:
        try:
            files[name] = read_expert(name, roster)
        except (OSError, UnicodeDecodeError) as e:
            print(f"verify_merged.py: {name}: {e}", file=sys.stderr)
            return 2
    return verdict(args.merged, lambda: verify_merged(text, roster, files, args.opinions))


if __name__ == "__main__":
    sys.exit(main())
