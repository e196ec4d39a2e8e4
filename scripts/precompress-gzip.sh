#!/usr/bin/env bash
# Rewrites the gzip copies `cargo leptos build --release --precompress` made of the site's
# files. Its own encoder leaves the wasm about a sixth larger than `gzip -9`; zopfli (Debian's
# package, installed by scripts/setup.sh) writes gzip any browser reads, about 5% smaller
# still, and is used when it is there. The server sends these .gz files to browsers that do
# not take brotli (the .br files cargo-leptos wrote are kept as they are).
#
#   scripts/precompress-gzip.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v zopfli >/dev/null 2>&1; then
  compress() { zopfli -c "$1"; }
else
  compress() { gzip -9 -n -c "$1"; }
fi

find target/site -type f -name '*.gz' -print0 | while IFS= read -r -d '' compressed; do
  compress "${compressed%.gz}" >"$compressed"
done
