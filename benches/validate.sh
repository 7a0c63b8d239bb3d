#!/usr/bin/env bash
# End-to-end figures for README.md: gstbatch validate on generated files of
# 1M and 10M rows, against `xsv count` (reads every record) and
# `xsv cat rows F F F` (reads every record three times and writes them: about
# the bytes a full report reads and writes) on the same files in the same
# run. Each command runs RUNS times; the median wall time
# and the peak RSS of that run are printed as a Markdown table.
#
#   cargo install xsv --root /tmp/xsv     # not a project dependency
#   benches/validate.sh [RUNS]            # default 3
#   BASE=/tmp/old/gstbatch benches/validate.sh 5   # paired with an older build
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
XSV=${XSV:-/tmp/xsv/bin/xsv}
. benches/measure.sh
build_and_generate

echo "| rows | command | wall s (median of $RUNS) | peak RSS MiB |"
echo "|---|---|---|---|"
for n in 1000000 10000000; do
  f="$DIR/$n.csv"
  row() { read -r s kb; printf '| %s | %s | %s | %s |\n' "$n" "$1" "$s" "$((kb / 1024))"; }
  if [ -x "$XSV" ]; then
    measure true /dev/null "$XSV" count "$f" | row "xsv count"
    measure true "$DIR/cat.csv" "$XSV" cat rows "$f" "$f" "$f" | row "xsv cat rows F F F > out"
  fi
  for j in 1 2; do
    row_pair "$n" "validate --jobs $j (full report)" true /dev/null validate "$f" -q --jobs $j -o "$DIR/r.csv"
    row_pair "$n" "validate --jobs $j --only-invalid" true /dev/null validate "$f" -q --jobs $j --only-invalid -o "$DIR/r.csv"
    row_pair "$n" "validate --jobs $j --only-invalid --no-duplicates" true /dev/null validate "$f" -q --jobs $j --only-invalid --no-duplicates -o "$DIR/r.csv"
  done
  row_pair "$n" "validate --jobs 2 --no-duplicates (full report)" true /dev/null validate "$f" -q --jobs 2 --no-duplicates -o "$DIR/r.csv"
done
