#!/usr/bin/env bash
# Time to first contentful paint and to hydration of the home and sign-in pages in
# Chromium, cold cache, with and without "Fast 3G" throttling, against a release build
# on a fresh embedded store. Prints a table of medians (PAINT_LOADS loads each, default 5).
#
#   scripts/paint-times.sh
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/e2e.sh --release --config=perf.config.ts
