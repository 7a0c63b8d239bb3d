# Shared by benches/validate.sh, benches/access.sh and benches/targets.sh
# (sourced, not run, from the project's root).
#
# measure SETUP OUT CMD...: runs SETUP (untimed), then CMD with stdout to OUT,
# RUNS times; prints the median wall seconds and that run's peak RSS in KiB.
#
# With BASE=/path/to/an/older/gstbatch in the environment, `row_pair` measures
# the same arguments with this build and with BASE alternately, run by run, so
# that both see the same machine load, and prints a row for each.

measure() {
  local setup=$1 out=$2; shift 2
  local results=()
  for _ in $(seq "$RUNS"); do
    eval "$setup"
    /usr/bin/time -f "%e %M" -o "$DIR/time" "$@" > "$out" 2>/dev/null || true
    results+=("$(tail -n 1 "$DIR/time")")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# row_pair N LABEL SETUP OUT ARGS...: a table row for "$G ARGS" and, with
# BASE set, one for "$BASE ARGS", measured alternately.
row_pair() {
  local n=$1 label=$2 setup=$3 out=$4; shift 4
  local bins=("$G") names=("$label")
  if [ -n "${BASE:-}" ]; then bins+=("$BASE"); names+=("$label (baseline)"); fi
  local -A results=()
  for _ in $(seq "$RUNS"); do
    for i in "${!bins[@]}"; do
      eval "$setup"
      /usr/bin/time -f "%e %M" -o "$DIR/time" "${bins[$i]}" "$@" > "$out" 2>/dev/null || true
      results[$i]+="$(tail -n 1 "$DIR/time")"$'\n'
    done
  done
  for i in "${!bins[@]}"; do
    printf '%s' "${results[$i]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p" | {
      read -r s kb
      printf '| %s | %s | %s | %s |\n' "$n" "${names[$i]}" "$s" "$((kb / 1024))"
    }
  done
}

# build_and_generate: the release build in $G, and the generated inputs in
# $DIR: 1M and 10M rows of GSTINs, and 300k enables each for a different
# GSTIN (drawn from a pool a little larger than needed, until there are
# 300k; the generator then stops on a closed pipe).
build_and_generate() {
  DIR=${BENCH_DIR:-/tmp/gstbatch-bench}
  mkdir -p "$DIR"
  cargo build --release --quiet
  G=target/release/gstbatch
  for n in 1000000 10000000; do
    [ -f "$DIR/$n.csv" ] || "$G" generate --rows "$n" -o "$DIR/$n.csv"
  done
  [ -f "$DIR/enable300000.csv" ] || { "$G" generate --instructions 310000 --rows 2500000 || true; } \
    | awk -F, 'NR == 1 { print; next } $2 == "enable" && !seen[$1]++ { print; if (++n == 300000) exit }' \
    > "$DIR/enable300000.csv"
}
