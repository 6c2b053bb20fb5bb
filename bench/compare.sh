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
cargo bench --bench panelist 2>/dev/null | tee "$work/ours.txt"
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
