#!/usr/bin/env bash
# The speed targets, each a pair of commands (an outside tool and gstbatch,
# and with BASE set an older gstbatch too) run one after the other in every
# round, RUNS rounds. Prints, per target, each command's median wall time and
# peak RSS, and the median of the rounds' ratios to the anchor, so that both
# sides of a ratio always saw the same machine load.
#
#   cargo install xsv --root /tmp/xsv; cargo install xan --root /tmp/xan
#   apt-get install sqlite3               # none of them a project dependency
#   benches/targets.sh [RUNS]             # default 5
#   BASE=/tmp/old/gstbatch benches/targets.sh 7
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
XSV=${XSV:-/tmp/xsv/bin/xsv}
XAN=${XAN:-/tmp/xan/bin/xan}
. benches/measure.sh
build_and_generate
F1="$DIR/1000000.csv" F10="$DIR/10000000.csv" DB="$DIR/targets.db"

# One wall time and peak RSS (KiB) for a command line, after SETUP.
timed() {
  local setup=$1; shift
  eval "$setup"
  /usr/bin/time -f "%e %M" -o "$DIR/time" bash -c "$*" > /dev/null 2>&1 || true
  tail -n 1 "$DIR/time"
}

# target LABEL SETUP ANCHOR GSTBATCH-ARGS [EXTRA-ANCHOR]: one table block.
target() {
  local label=$1 setup=$2 anchor=$3 args=$4 extra=${5:-}
  local cmds=("$anchor" "$G $args") names=("$anchor" "gstbatch $args")
  [ -n "$extra" ] && { cmds+=("$extra"); names+=("$extra"); }
  [ -n "${BASE:-}" ] && { cmds+=("$BASE $args"); names+=("the build before"); }
  local -A t=() m=()
  for _ in $(seq "$RUNS"); do
    for i in "${!cmds[@]}"; do
      read -r s kb < <(timed "$setup" "${cmds[$i]}")
      t[$i]+="$s "; m[$i]+="$kb "
    done
  done
  med() { tr ' ' '\n' | grep . | sort -g | sed -n "$(( (RUNS + 1) / 2 ))p"; }
  echo "**$label**"
  echo
  echo "| command | wall s, median of $RUNS | peak RSS MiB | median of the rounds' ratios to the first |"
  echo "|---|---|---|---|"
  read -ra a <<< "${t[0]}"
  for i in "${!cmds[@]}"; do
    read -ra b <<< "${t[$i]}"
    local ratio
    ratio=$(for r in "${!a[@]}"; do awk -v x="${b[$r]}" -v y="${a[$r]}" 'BEGIN { printf "%.2f\n", x / y }'; done | med)
    local kb
    kb=$(echo "${m[$i]}" | med)
    printf '| `%s` | %s | %s | %s x |\n' "${names[$i]//$DIR\//}" "$(echo "${t[$i]}" | med)" "$((kb / 1024))" "$ratio"
  done
  echo
}

target "1. --only-invalid, 10M rows, duplicates tracked: at most 1.5 x xsv count" true \
  "$XSV count $F10" "validate $F10 -q --jobs 2 --only-invalid -o $DIR/r.csv" "$XAN select gstin $F10"
target "2. --no-duplicates --only-invalid, 10M rows: at most 1.0 x xsv count" true \
  "$XSV count $F10" "validate $F10 -q --jobs 2 --no-duplicates --only-invalid -o $DIR/r.csv"
target "3. full report, 1M rows: at most 1.0 x xan cat rows F F F" true \
  "$XAN cat rows $F1 $F1 $F1 -o $DIR/cat.csv" "validate $F1 -q --jobs 2 -o $DIR/r.csv"
target "5. access apply, 300k distinct GSTINs: at most 2.0 x sqlite3 .import" "rm -f $DB*" \
  "sqlite3 $DB '.import --csv $DIR/enable300000.csv t'" \
  "access apply $DIR/enable300000.csv --state $DB --now '2026-11-26 18:00' -q -o $DIR/apply.csv"
