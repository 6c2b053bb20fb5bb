#!/usr/bin/env python3
"""A plain verifier of panelist scores files, as docs/formats.md's recipe
writes one with json + rfc8785 + cryptography: the DSSE envelope, the
Ed25519 signature over PAE(payloadType, payload bytes) with the roster
key, the strict parse of the payload, the hash chain of its history and
its head (each event is its body, hashed after the one before). (No
replay, no canonical-form check, no SM2: the benchmark's comparison, not
scripts/verify_export.py.)

Usage: python3 bench/plain_verify.py ROSTER.json FILE...
Prints one line per file; exit 0 when all verify."""
import base64, hashlib, json, sys

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def no_dup(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"duplicate key {k!r}")
        d[k] = v
    return d


def refuse(s):
    raise ValueError(f"number {s} is not an integer")


def strict(text):
    return json.loads(text, object_pairs_hook=no_dup, parse_float=refuse, parse_constant=refuse)


def verify(path, keys):
    env = strict(open(path, encoding="utf-8").read())
    body = base64.b64decode(env["payload"], validate=True)
    t = env["payloadType"].encode()
    msg = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
    payload = strict(body.decode("utf-8"))
    expert = payload["expert"]["id"]
    sig = env["signatures"][0]
    if sig["keyid"] != keys[expert][0]:
        raise ValueError("not the roster key")
    keys[expert][1].verify(base64.b64decode(sig["sig"]), msg)
    digest = bytes.fromhex(payload["bundle"]["digest"])
    prev = hashlib.sha256(b"panelist.genesis.v1\n" + digest + expert.encode()).digest()
    for i, ev in enumerate(payload["history"]):
        if ev["expert"] != expert:
            raise ValueError(f"seq {i + 1}: another expert's event")
        b = rfc8785.dumps(ev)
        prev = hashlib.sha256(b"panelist.event.v1\n" + (i + 1).to_bytes(8, "big") + prev + b).digest()
    if payload["head"] != {"size": len(payload["history"]), "hash": prev.hex()}:
        raise ValueError("head")
    return expert


def main():
    roster = strict(open(sys.argv[1], encoding="utf-8").read())
    keys = {
        e["id"]: (e["key_id"], Ed25519PublicKey.from_public_bytes(bytes.fromhex(e["public_key"])))
        for e in roster
        if e.get("public_key")
    }
    bad = 0
    for f in sys.argv[2:]:
        try:
            print(f"OK  {f}  {verify(f, keys)}")
        except Exception as e:  # noqa: BLE001 - one line per file is the point
            print(f"BAD {f}  {type(e).__name__}: {e}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
