#!/usr/bin/env bash
# End-to-end figures for README.md: `access apply` of 100k and 1M generated
# instructions over 100k GSTINs, and of 300k enables each for a different
# GSTIN, into a fresh store, then `access status` over the result, against
# `sqlite3 DB ".import --csv FILE t"` of the same file (the cost of merely
# storing the rows) in the same run. Medians of RUNS.
#
#   apt-get install sqlite3               # not a project dependency
#   benches/access.sh [RUNS]              # default 3
#   BASE=/tmp/old/gstbatch benches/access.sh 5   # paired with an older build
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
. benches/measure.sh
build_and_generate
NOW="2026-11-26 18:00"
for n in 100000 1000000; do
  [ -f "$DIR/ins$n.csv" ] || "$G" generate --instructions 100000 --rows "$n" -o "$DIR/ins$n.csv"
done

echo "| instructions | command | wall s (median of $RUNS) | peak RSS MiB |"
echo "|---|---|---|---|"
for n in 100000 1000000 enable300000; do
  f="$DIR/ins$n.csv"
  [ "$n" = enable300000 ] && f="$DIR/$n.csv"
  db="$DIR/bench.db"
  row() { read -r s kb; printf '| %s | %s | %s | %s |\n' "$n" "$1" "$s" "$((kb / 1024))"; }
  measure "rm -f $db*" /dev/null sqlite3 "$db" ".import --csv $f t" | row "sqlite3 .import --csv"
  row_pair "$n" "access apply (report to a file)" "rm -f $db*" /dev/null access apply "$f" --state "$db" --now "$NOW" -q -o "$DIR/apply.csv"
  row_pair "$n" "access status (all GSTINs)" true /dev/null access status --state "$db" --now "$NOW" -q -o "$DIR/status.csv"
  row_pair "$n" "access status --expiring-within 7d" true /dev/null access status --state "$db" --now "$NOW" -q --expiring-within 7d -o "$DIR/status.csv"
done
