#!/bin/sh
# A whole expert session for the air-gap check in RELIABILITY.md: make a
# key, build a bundle from the sample, score every application (one
# recused), look at the history, export the signed file and verify it.
# Run it under strace:
#   strace -f -qq -e trace=network,execve -e signal=none -o strace.log \
#       sh scripts/airgap_session.sh
# PANELIST names the binary (default: panelist on PATH).
set -e
P=${PANELIST:-panelist}
SAMPLE=$(cd "$(dirname "$0")/.." && pwd)/assets/sample/applications.json
cd "$(mktemp -d)"
export PANELIST_HOME="$PWD/home" PANELIST_PASSPHRASE_FILE="$PWD/pass.txt" \
    PANELIST_KDF_PARAMS=m=256,t=1,p=1 PANELIST_LANG=en
echo "correct horse battery staple" > pass.txt
$P key new --id E01 --name 张三 --org 某研究院 > /dev/null 2>&1
$P key show --roster-entry | sed '1s/^/[/; $s/$/]/' > roster.json
$P bundle new "$SAMPLE" -o wc.bundle > /dev/null
$P bundle check wc.bundle > /dev/null 2>&1 || true
for app in 2023-SAMPLE-001 2023-SAMPLE-002 2023-SAMPLE-003 2023-SAMPLE-004; do
  $P score wc.bundle $app --innovation 20 --advancement 18 --practicality 22 \
     --replicability 19 --comment "平台运行稳定，检测能力成熟，具备在同行业推广的条件，建议入选。" \
     --recommend yes > /dev/null
done
$P recuse wc.bundle 2023-SAMPLE-005 --reason "本人曾为该申报单位提供咨询服务" > /dev/null
$P bundle history wc.bundle > /dev/null
$P bundle info wc.bundle > /dev/null
$P export wc.bundle -o E01.json
$P verify E01.json --roster roster.json --bundle wc.bundle
echo "session in $PWD"
