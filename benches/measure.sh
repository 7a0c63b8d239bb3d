# Shared by benches/validate.sh and benches/access.sh (sourced, not run).
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
