#!/usr/bin/env bash
# Installs what building and running Database Manager needs, once per machine, into caches
# outside the clone (~/.cargo/bin, ~/.cache/database-manager). Safe to run again: every step
# checks first and does nothing when its tool is already there.
#
#   scripts/setup.sh          build tools: wasm32 target, wasm-bindgen CLI, cargo-leptos, wasm-opt,
#                             zopfli
#   scripts/setup.sh --test   also test tools: Debian's chromium, moto, Playwright (npm)
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.129   # must equal the `wasm-bindgen = "=…"` pin in Cargo.toml
CARGO_LEPTOS_VERSION=0.3.10    # 0.3.11 does not build on Rust 1.95 (its lock needs Rust 1.96)
BINARYEN_VERSION=132.0.0       # wasm-opt, from npm
TOOLS_DIR="${DBM_TOOLS_DIR:-$HOME/.cache/database-manager}"

cd "$(dirname "$0")/.."
step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Every download has a deadline: `deadline MINUTES COMMAND...` runs the command, and stops it
# with a message saying what to check if it takes longer (a stalled registry or mirror).
deadline() {
  local minutes=$1
  shift
  local status=0
  timeout --kill-after=30s "${minutes}m" "$@" || status=$?
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "setup: '$*' did not finish within $minutes minutes; check the network to its package registry, then run make again" >&2
  fi
  return "$status"
}

# Tools built from crates.io: no LTO, many codegen units, so they build in minutes on 2 cores.
cargo_install() {
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    deadline 40 cargo install --locked "$@"
}

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  deadline 10 rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo_install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --no-default-features --force
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once)"
  cargo_install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --force
fi

BINARYEN_DIR="$TOOLS_DIR/binaryen-$BINARYEN_VERSION"
if [ ! -x "$BINARYEN_DIR/node_modules/.bin/wasm-opt" ]; then
  step "installing wasm-opt (binaryen $BINARYEN_VERSION from npm)"
  mkdir -p "$BINARYEN_DIR"
  deadline 10 npm install --prefix "$BINARYEN_DIR" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
fi

# The gzip copies of the site are written with zopfli (scripts/precompress-gzip.sh): gzip
# that any browser reads, about 5% smaller than `gzip -9`. Without root it is left out and
# the copies are written by `gzip -9`.
if ! command -v zopfli >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    step "installing Debian's zopfli (smaller gzip copies of the site)"
    export DEBIAN_FRONTEND=noninteractive
    deadline 10 apt-get update -qq
    deadline 10 apt-get install -y -qq zopfli >/dev/null
  else
    echo "zopfli is not installed and this is not root: the site's gzip copies are written by gzip -9"
  fi
fi

if [ "${1:-}" = "--test" ]; then
  if [ ! -x /usr/bin/chromium ]; then
    step "installing Debian's chromium for Playwright"
    export DEBIAN_FRONTEND=noninteractive
    deadline 10 apt-get update -qq
    deadline 20 apt-get install -y -qq chromium >/dev/null
  fi

  # moto 5.2.1-5.2.4 name the answer of CompleteMultipartUpload wrongly (the Rust SDK then
  # fails every multipart upload); 5.2.5 is the first that answers as S3 does.
  if ! command -v moto_server >/dev/null 2>&1 \
     || ! python3 -c 'import sys, moto; v = tuple(int(p) for p in moto.__version__.split(".")[:3]); sys.exit(v < (5, 2, 5))' 2>/dev/null; then
    step "installing moto's standalone S3 server (second S3 implementation for tests)"
    deadline 10 python3 -m pip install --quiet 'moto[server]>=5.2.5'
  fi

  # npm's own record (node_modules/.package-lock.json) never equals the lock file (it leaves
  # out the root package), so the lock file that was installed is kept beside it.
  installed_lock=end2end/node_modules/.installed-package-lock.json
  if [ ! -d end2end/node_modules/@playwright/test ] \
     || ! cmp -s end2end/package-lock.json "$installed_lock"; then
    step "installing the end-to-end test packages (npm ci)"
    (cd end2end && deadline 10 npm ci --no-audit --no-fund --silent)
    cp end2end/package-lock.json "$installed_lock"
  fi
fi
