#!/usr/bin/env bash
# Runs the Playwright suite against the real server on a fresh embedded S3 store:
# builds the site (wasm, CSS) and the server, starts the server on a free port with its own data
# folder, waits until it is ready, runs the tests, and stops the server it started.
#
#   scripts/e2e.sh [--release | --release-site] [playwright args...]
#
# By default the debug server with a debug site (quick to rebuild while working on a test);
# `--release` the release server and site, as `make run` serves them; `--release-site` the
# debug server with the release site already in target/site (`make wasm-release` builds it:
# `make test` does so once for its size check, and tests the same bundle here, without a
# third wasm build).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
site=debug
case "${1:-}" in
  --release) profile=release; site=release; shift ;;
  --release-site) site=release; shift ;;
esac

if [ "$profile" = release ]; then
  # As `make run` serves it: type-erased views in both halves, lazily loaded routes in
  # their own wasm files, precompressed.
  make --no-print-directory build-release
else
  if [ "$site" = release ]; then
    if [ ! -f target/site/pkg/database-manager.wasm.gz ]; then
      echo "no release site in target/site/pkg: run make wasm-release first"; exit 1
    fi
  else
    # The site (wasm, JS, CSS) from cargo-leptos. `--split` as in release: the wasm of a
    # `#[lazy]` function imports a module only the split step provides, so an unsplit
    # bundle fails on the first lazily loaded page. The release site's files go first: the
    # server would send their precompressed copies in place of the debug ones.
    rm -rf target/site/pkg
    cargo leptos build --frontend-only --split
  fi
  # The server binary the Rust tests build (`make unit`; after it this has nothing to do),
  # compiled with the flags and name cargo-leptos gives a server: type-erased views, as the
  # wasm has them (a server compiled without them renders pages the wasm cannot hydrate).
  RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=database-manager \
    cargo test --workspace --exclude frontend --no-run
fi

data_dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base_url="http://127.0.0.1:$port"
log="$data_dir/server.log"

DBM_ADDR="127.0.0.1:$port" DBM_DATA_DIR="$data_dir/data" DBM_STORAGE=embedded \
  LEPTOS_SITE_ROOT=target/site "target/$profile/server" >"$log" 2>&1 &
server_pid=$!
cleanup() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  rm -rf "$data_dir"
}
trap cleanup EXIT

for _ in $(seq 1 240); do
  if curl -sf "$base_url/readyz" >/dev/null; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited before it was ready:"; cat "$log"; exit 1
  fi
  sleep 0.5
done
curl -sf "$base_url/readyz" >/dev/null || { echo "the server did not become ready:"; cat "$log"; exit 1; }

status=0
(cd end2end && BASE_URL="$base_url" npx playwright test "$@") || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log ---"; tail -n 50 "$log"
fi
exit "$status"
