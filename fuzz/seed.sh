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
