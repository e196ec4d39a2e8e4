#!/usr/bin/env bash
# Prints the release wasm's size, raw and gzip-compressed (level 6, what the server's
# gzip sends; brotli is smaller), and fails when the compressed size passes the budget:
# a count, not a timing. Run after `cargo leptos build --release --frontend-only`.
#
#   scripts/check-wasm-size.sh BUDGET_KB
set -euo pipefail
cd "$(dirname "$0")/.."

budget_kb=${1:?usage: scripts/check-wasm-size.sh BUDGET_KB}
wasm=target/site/pkg/database-manager.wasm
[ -f "$wasm" ] || { echo "no $wasm: build the release site first"; exit 1; }
raw=$(stat -c %s "$wasm")
gzipped=$(gzip -6 -c "$wasm" | wc -c)
echo "release wasm: $((raw / 1024)) KB, $((gzipped / 1024)) KB gzip (budget $budget_kb KB gzip)"
if [ "$gzipped" -gt $((budget_kb * 1024)) ]; then
  echo "the release wasm is over its budget: find what grew (the function names are in target/front/wasm32-unknown-unknown/wasm-release/frontend.wasm) and make it smaller"
  exit 1
fi
