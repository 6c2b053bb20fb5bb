#!/usr/bin/env bash
# Side by side, same run, same data: panelist's benchmarks next to the
# tools a user would otherwise reach for, with ratios (ours / theirs).
#   bash bench/compare.sh
# Installs what it needs (sqlite3, fzf) from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v fzf >/dev/null || need+=(fzf)
command -v hyperfine >/dev/null || need+=(hyperfine)
if [ "${#need[@]}" -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PANELIST_BENCH_DIR="$work"
# The machine may be shared: its load goes beside every figure.
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "cores $(nproc); load before $(load)"
cargo bench --bench panelist 2>/dev/null | tee "$work/ours.txt"
echo "load after the benchmarks $(load)"
fig() { python3 -c "import json,sys; r=json.load(open('target/bench-results.json')); print(next(x['value'] for x in r if x['workload'].startswith(sys.argv[1]) and x['figure']==sys.argv[2]))" "$1" "$2"; }

echo
echo "== durable insert: sqlite3 CLI, 1000 autocommit inserts, WAL + synchronous=FULL"
{
  echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
  echo "CREATE TABLE events(seq INTEGER PRIMARY KEY, body TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);"
  for i in $(seq 1 1000); do
    echo "INSERT INTO events VALUES($i, '{\"app\":\"G-BJ-000001\",\"criterion\":\"innovation\",\"expert\":\"E01\",\"time\":\"2024-03-01T09:00:00.000Z\",\"type\":\"score\",\"value\":18}', '$(printf '0%.0s' {1..64})', '$(printf '0%.0s' {1..64})');"
  done
} > "$work/inserts.sql"
start=$(date +%s.%N); sqlite3 "$work/cli.sqlite" < "$work/inserts.sql" >/dev/null; end=$(date +%s.%N)
cli_ms=$(python3 -c "print(($end-$start)*1000/1000)")
ours_ms=$(fig "score change" "p50 ms")
python3 -c "print(f'sqlite3 CLI mean per insert {float(\"$cli_ms\"):.3f} ms; panelist p50 {float(\"$ours_ms\"):.3f} ms; ratio {float(\"$ours_ms\")/float(\"$cli_ms\"):.2f}x')"

echo
echo "== hashing: sha256sum over the canonical bytes of 1,000,000 events"
start=$(date +%s.%N); sha256sum "$work/chain-bytes.bin" >/dev/null; end=$(date +%s.%N)
sha_s=$(python3 -c "print($end-$start)")
ours_s=$(fig "audit/replay" "verify chain s")
python3 -c "print(f'sha256sum {float(\"$sha_s\"):.3f} s; panelist verify {float(\"$ours_s\"):.3f} s; ratio {float(\"$ours_s\")/float(\"$sha_s\"):.2f}x')"

echo
echo "== bare read: sqlite3 CLI reading every application and unit of the 10k bundle"
start=$(date +%s.%N); sqlite3 "$work/b10000.bundle" "SELECT * FROM applications; SELECT * FROM units;" >/dev/null; end=$(date +%s.%N)
read_ms=$(python3 -c "print(($end-$start)*1000)")
open_ms=$(fig "open 10k" "median ms")
python3 -c "print(f'sqlite3 CLI read {float(\"$read_ms\"):.1f} ms; panelist open to first frame {float(\"$open_ms\"):.1f} ms; ratio {float(\"$open_ms\")/float(\"$read_ms\"):.2f}x')"

if [ -f "$work/haystack.txt" ]; then
  echo
  echo "== fuzzy filter: fzf --filter over the same 100,000 lines"
  ours=$(fig "fuzzy filter" "p50 ms")
  for q in 数 数据 安全平台 soc g-bj-0 星河网络 华信; do
    start=$(date +%s.%N); fzf --filter "$q" < "$work/haystack.txt" >/dev/null || true; end=$(date +%s.%N)
    python3 -c "t=($end-$start)*1000; print(f'fzf --filter {\"$q\"!r:>12}: {t:7.1f} ms   panelist per-keystroke p50 {float(\"$ours\"):.1f} ms, ratio {float(\"$ours\")/t:.2f}x')"
  done
fi

echo
echo "== verify, 30 × 1,000 panel: a plain Python verifier (json + rfc8785 + cryptography, bench/plain_verify.py) on the same files"
if python3 -c "import rfc8785, cryptography" 2>/dev/null; then
  load_py=$(load)
  start=$(date +%s.%N)
  python3 bench/plain_verify.py "$work/panel30/roster.json" "$work"/panel30/exports/*.json >"$work/py.txt" || true
  end=$(date +%s.%N)
  ok=$(grep -c '^OK ' "$work/py.txt" || true)
  py_s=$(python3 -c "print($end-$start)")
  ours_s=$(fig "verify 30 files" "wall s")
  python3 -c "print(f'plain Python {float(\"$py_s\"):.2f} s ({\"$ok\"} OK); panelist verify {float(\"$ours_s\"):.2f} s; panelist is {float(\"$py_s\")/float(\"$ours_s\"):.1f}x faster (target >= 20x); load $load_py')"
else
  echo "skipped: pip install rfc8785 cryptography"
fi

echo
echo "== every figure against its target (load now $(load))"
python3 - <<'PY'
import json
rows = json.load(open("target/bench-results.json"))
def v(w, f):
    return next((x["value"] for x in rows if x["workload"].startswith(w) and x["figure"] == f), None)
checks = [
    ("merge 300x1000 wall", v("merge 300", "wall s"), 2.0, "s"),
    ("merge peak / input", v("merge 300", "peak / input"), 0.5, "x"),
    ("verify 300 files wall", v("verify 300", "wall s"), 1.5, "s"),
    ("audit 1M-event copy wall (with signatures)", v("audit working copy", "wall s"), None, "s"),
    ("audit 1M-event copy: chain + replay", v("audit working copy", "chain+replay s"), 1.0, "s"),
    ("audit 1M-event copy: event signatures", v("audit working copy", "signatures s"), None, "s"),
    ("chain + replay 1M events in process", v("audit/replay", "total s"), 1.0, "s"),
    ("open 10k bundle to first frame, max of 7", v("open 10k", "max ms"), 100.0, "ms"),
    ("filter per keystroke p99", v("fuzzy filter", "p99 ms"), 16.0, "ms"),
    ("filter keystroke + redraw p99", v("fuzzy filter", "keystroke+redraw p99 ms"), 16.0, "ms"),
]
for name, got, target, unit in checks:
    if got is None:
        continue
    ratio = f"  ratio to target {got / target:.2f}" if target else ""
    print(f"{name:<44} {got:8.3f} {unit}  target {target if target else '-'}{ratio}")
PY
