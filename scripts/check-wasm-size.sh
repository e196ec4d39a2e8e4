#!/usr/bin/env bash
# Prints what a browser downloads of the release wasm to show the home page (the main file;
# every other page's code is in lazily loaded files, the largest listed with their sizes) as
# raw bytes, gzip and brotli (the .gz and .br files the server sends), and fails when the
# main file's gzip size passes the budget: a count, not a timing. Run after
# `make wasm-release`.
#
#   scripts/check-wasm-size.sh BUDGET_KB
set -euo pipefail
cd "$(dirname "$0")/.."

budget_kb=${1:?usage: scripts/check-wasm-size.sh BUDGET_KB}
pkg=target/site/pkg
main=$pkg/database-manager.wasm
for file in "$main" "$main.gz" "$main.br"; do
  [ -f "$file" ] || { echo "no $file: build the release site first (make wasm-release)"; exit 1; }
done
size() { stat -c %s "$1"; }
kb() { echo $(( $(size "$1") / 1024 )); }

lazy=()
for file in "$pkg"/*.wasm; do
  [ "$file" != "$main" ] && lazy+=("$file")
done
lazy_gzip=0
for file in "${lazy[@]}"; do lazy_gzip=$((lazy_gzip + $(size "$file.gz"))); done
echo "lazily loaded wasm (fetched when a page or an action first needs it): ${#lazy[@]} files," \
  "$((lazy_gzip / 1024)) KB gzip in all; the largest, KB raw / gzip / brotli:"
for file in "${lazy[@]}"; do echo "$(size "$file") $file"; done | sort -rn | head -n 10 |
  while read -r _ file; do
    printf '  %-60s %5s %5s %5s\n' "$(basename "$file")" "$(kb "$file")" "$(kb "$file.gz")" "$(kb "$file.br")"
  done
gzipped=$(size "$main.gz")
echo "release wasm (home page): $(kb "$main") KB, $(kb "$main.gz") KB gzip ($gzipped bytes)," \
  "$(kb "$main.br") KB brotli (budget $budget_kb KB gzip)"
if [ "$gzipped" -gt $((budget_kb * 1024)) ]; then
  echo "the release wasm is over its budget: find what grew (the function names are in"
  echo "target/front/wasm32-unknown-unknown/wasm-release/frontend_split.wasm) and make it"
  echo "smaller, or move code that the home page does not need behind a lazy route"
  exit 1
fi
