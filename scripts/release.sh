#!/usr/bin/env bash
# Makes the release packages in dist/: a .deb (binary, man page, bash, zsh
# and fish completions, README and samples, the contrib/ recipes) and a
# Windows zip (gstbatch.exe, README, samples, the PowerShell completions and
# the Task Scheduler recipe). Needs cargo-deb (cargo install cargo-deb
# --locked) and, for Windows, what scripts/windows-smoke.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "release: $*" >&2; exit 1; }
command -v cargo-deb >/dev/null || fail "needs cargo-deb: cargo install cargo-deb --locked"
command -v x86_64-w64-mingw32-gcc >/dev/null || fail "needs gcc-mingw-w64-x86-64 (see scripts/windows-smoke.sh)"

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
assets=target/assets
rm -rf dist "$assets"
mkdir -p dist "$assets"

cargo build --release --locked
bin=target/release/gstbatch
"$bin" man | gzip -9n > "$assets/gstbatch.1.gz"
for shell in bash zsh fish powershell; do
  "$bin" completions "$shell" > "$assets/gstbatch.$shell"
done
cargo deb --no-build --locked --output dist/

cargo build --release --locked --target x86_64-pc-windows-gnu
name="gstbatch-$version-windows-x86_64"
stage="$assets/$name"
mkdir -p "$stage/samples" "$stage/docs"
cp target/x86_64-pc-windows-gnu/release/gstbatch.exe README.md BENCHMARKS.md LICENSE "$stage/"
cp samples/* "$stage/samples/"
cp docs/* "$stage/docs/"
cp contrib/windows/*.cmd "$stage/"
cp "$assets/gstbatch.powershell" "$stage/gstbatch.ps1"
(cd "$assets" && python3 -m zipfile -c "../../dist/$name.zip" "$name")
ls -l dist
