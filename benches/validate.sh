#!/usr/bin/env bash
# End-to-end figures for README.md: gstbatch validate on generated files of
# 1M and 10M rows, against `xsv count` and `xsv select gstin` on the same
# files in the same run. Each command runs RUNS times; the median wall time
# and the peak RSS of that run are printed as a Markdown table.
#
#   cargo install xsv --root /tmp/xsv     # not a project dependency
#   benches/validate.sh [RUNS]            # default 3
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
XSV=${XSV:-/tmp/xsv/bin/xsv}
DIR=${BENCH_DIR:-/tmp/gstbatch-bench}
mkdir -p "$DIR"
cargo build --release --quiet
G=target/release/gstbatch
for n in 1000000 10000000; do
  [ -f "$DIR/$n.csv" ] || "$G" generate --rows "$n" -o "$DIR/$n.csv"
done

# median wall seconds and that run's max RSS (KiB) of a command
measure() {
  local out=$1; shift
  local results=()
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" > "$out" 2>/dev/null || true
    results+=("$(tail -n 1 "$DIR/time")")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

echo "| rows | command | wall s (median of $RUNS) | peak RSS MiB |"
echo "|---|---|---|---|"
for n in 1000000 10000000; do
  f="$DIR/$n.csv"
  row() { read -r s kb; printf '| %s | %s | %s | %s |\n' "$n" "$1" "$s" "$((kb / 1024))"; }
  measure /dev/null "$XSV" count "$f" | row "xsv count"
  measure "$DIR/sel.csv" "$XSV" select gstin "$f" | row "xsv select gstin > out"
  for j in 1 2; do
    measure /dev/null "$G" validate "$f" -q --jobs $j -o "$DIR/r.csv" | row "validate --jobs $j (full report)"
    measure /dev/null "$G" validate "$f" -q --jobs $j --only-invalid -o "$DIR/r.csv" | row "validate --jobs $j --only-invalid"
    measure /dev/null "$G" validate "$f" -q --jobs $j --only-invalid --no-duplicates -o "$DIR/r.csv" | row "validate --jobs $j --only-invalid --no-duplicates"
  done
  measure /dev/null "$G" validate "$f" -q --jobs 2 --no-duplicates -o "$DIR/r.csv" | row "validate --jobs 2 --no-duplicates (full report)"
done
