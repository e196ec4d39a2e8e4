#!/usr/bin/env bash
# Fails when a server-only crate reaches the wasm build (docs/ARCHITECTURE.md, "The crates"): the browser bundle
# must not contain tokio, the AWS SDK, csv-async, quick_cache, datasketches, s3s, hyper, axum, storage, catalog, or the
# account code (auth, argon2, hmac).
set -euo pipefail
cd "$(dirname "$0")/.."

forbidden='^(tokio|aws-[a-z0-9-]+|csv-async|quick_cache|s3s|s3s-fs|hyper|hyper-util|axum|storage|catalog|auth|argon2|datasketches|hmac|leptos_axum|mio) '
found=$(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none \
  | sed 's/ (\*)$//' | sort -u | grep -E "$forbidden" || true)
if [ -n "$found" ]; then
  echo "Server-only crates in the wasm build (make them optional, enabled by the ssr feature):"
  echo "$found"
  exit 1
fi
echo "wasm dependency tree: no server-only crates ($(cargo tree -p frontend --target wasm32-unknown-unknown -e normal --prefix none | sort -u | wc -l) crates checked)"
