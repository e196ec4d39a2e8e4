#!/usr/bin/env bash
# Rewrites the gzip copies `cargo leptos build --release --precompress` made of the site's
# files at gzip's best level: its own encoder leaves the wasm about a sixth larger than
# `gzip -9` does. The server sends these .gz files to browsers that do not take brotli
# (the .br files cargo-leptos wrote are kept as they are).
#
#   scripts/precompress-gzip.sh
set -euo pipefail
cd "$(dirname "$0")/.."

find target/site -type f -name '*.gz' -print0 | while IFS= read -r -d '' compressed; do
  gzip -9 -n -c "${compressed%.gz}" >"$compressed"
done
