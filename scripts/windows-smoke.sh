#!/usr/bin/env bash
# The Windows check: cross-build gstbatch.exe and run the Windows tests
# (tests/windows.rs) under Wine. Installs what it needs when it is missing;
# when it cannot, it says so and fails, never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
fail() { echo "windows-smoke: $*" >&2; exit 1; }

if ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target" || fail "cannot add the Rust target $target"
fi
if ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v wine >/dev/null; then
  command -v apt-get >/dev/null || fail "needs gcc-mingw-w64-x86-64 and wine64, and there is no apt-get"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gcc-mingw-w64-x86-64 wine64 >/dev/null \
    || fail "cannot install gcc-mingw-w64-x86-64 and wine64"
fi

# The code under cfg(windows) is linted here, and only here.
cargo clippy --locked --quiet --target "$target" -- -D warnings
cargo build --locked --quiet --target "$target" --bin gstbatch
out="target/$target/debug"
# Test helpers for Wine only, never shipped: a ProcessPrng stand-in (Wine 8
# lacks it; Rust's standard library calls it) and a program that holds a
# file open as Excel does.
x86_64-w64-mingw32-gcc -shared -O2 -o "$out/bcryptprimitives.dll" \
  scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32
x86_64-w64-mingw32-gcc -municode -O2 -o "$out/hold-open.exe" scripts/wine/hold-open.c

export WINEPREFIX="${WINEPREFIX:-$PWD/target/wineprefix}"
export WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n"
# The first start makes the prefix (tens of seconds); do it once, here.
wine "$out/gstbatch.exe" --version >/dev/null 2>&1 || true
wine "$out/gstbatch.exe" --version | grep -q '^gstbatch ' || fail "gstbatch.exe does not start under Wine"

export GSTBATCH_WINDOWS_EXE="$PWD/$out/gstbatch.exe"
cargo test --locked --test tests windows:: -- --ignored --test-threads 2
wineserver -k 2>/dev/null || true
