#!/bin/sh
# Seeds each fuzz target's corpus from the hostile-input corpus and the
# shipped samples. Run from fuzz/: sh seed.sh
set -e
h=../tests/hostile
seed() { mkdir -p "corpus/$1"; shift_target=$1; shift; for f in "$@"; do cp "$f" "corpus/$shift_target/"; done; }
seed import_json ../assets/sample/applications.json $h/apps-*.json
seed import_csv ../assets/sample/applications.csv $h/csv-*.csv
seed roster $h/roster-*.json $h/export-roster.json
seed bundle_open $h/*.bundle
seed envelope $h/export-*.json
seed export_verify $h/export-*.json
seed export_payload $h/export-*.json
seed roster_keys $h/export-roster.json $h/vroster-*.json $h/roster-*.json
seed key_file $h/key-*.key

# Small scored working copies for bundle_open, made with the panelist binary
# (PANELIST=path, default ../target/release/panelist) and sqlite3 when both
# are there: the sample's five applications, three scores and a recusal,
# repacked at small page sizes so mutations reach the sheet, the events and
# the chain instead of spending themselves on application text.
bin=${PANELIST:-../target/release/panelist}
if [ -x "$bin" ] && command -v sqlite3 >/dev/null; then
    t=$(mktemp -d)
    echo "seed passphrase" >"$t/pass"
    run() { PANELIST_HOME=$t PANELIST_PASSPHRASE_FILE=$t/pass PANELIST_KDF_PARAMS=m=256,t=1,p=1 \
        PANELIST_NOW=2024-03-01T09:00:00Z PANELIST_LANG=en "$bin" "$@" >/dev/null; }
    run key new --id E01 --name 种子专家 --org 测试研究院
    run bundle new ../assets/sample/applications.json -o "$t/wc.bundle"
    ids=$(sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' ../assets/sample/applications.json | head -n 4)
    n=0
    for a in $ids; do
        n=$((n + 1))
        if [ $n -eq 4 ]; then
            run recuse "$t/wc.bundle" "$a" --reason 曾为该单位提供咨询
        else
            run score "$t/wc.bundle" "$a" --innovation $((14 + n)) --advancement 18 \
                --practicality 20 --replicability 17 --comment 运行稳定，建议入选。 --recommend yes
        fi
    done
    for ps in 512 1024; do
        cp "$t/wc.bundle" "$t/p$ps.bundle"
        sqlite3 "$t/p$ps.bundle" "PRAGMA journal_mode=DELETE; PRAGMA page_size=$ps; VACUUM;" >/dev/null
        cp "$t/p$ps.bundle" "corpus/bundle_open/scored-$ps.bundle"
    done
    sqlite3 "$t/p1024.bundle" "PRAGMA journal_mode=WAL;" >/dev/null
    sqlite3 "$t/p1024.bundle" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    cp "$t/p1024.bundle" corpus/bundle_open/scored-wal-1024.bundle
    rm -rf "$t"
else
    echo "seed.sh: no $bin or no sqlite3: bundle_open starts without scored working copies (cargo build --release first)" >&2
fi
