# Database Manager: the two commands are `make run` and `make test`; everything else here is
# a step of one of them. Both install what is missing first (scripts/setup.sh), idempotently.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
TOOLS_DIR ?= $(HOME)/.cache/database-manager
export PATH := $(HOME)/.cargo/bin:$(TOOLS_DIR)/binaryen-132.0.0/node_modules/.bin:$(PATH)
# Never let the AWS SDK probe the EC2 metadata service from a test or a laptop.
export AWS_EC2_METADATA_DISABLED := true
export CARGO_TERM_COLOR ?= never

.PHONY: run test bench soak setup setup-test build-release fmt-check lint lint-server lint-wasm \
        wasm-deps wasm-release unit e2e fmt paint-times

## Build in release mode and serve http://127.0.0.1:3000 on the embedded S3 (data in ./data).
run: setup build-release
	LEPTOS_SITE_ROOT=target/site ./target/release/server

## Every check: format, clippy (server and wasm), wasm dependency rule, tests, Playwright.
test: setup-test fmt-check lint wasm-deps wasm-release unit e2e
	@echo "make test: all checks passed"

## Benchmarks (tables on stdout; nothing asserted): previews (latency, bytes read), cold
## previews of a 1 GB .csv.gz and a 1 GB Parquet file beside polars and the seed's method, the
## whole-table scan beside polars (with and without column profiles), pages of rows anywhere
## in a 1 GB table beside pandas and polars, the database list (latency, requests/s) and
## imports beside plain uploads (throughput and peak server memory, with and without column
## profiles). polars, pandas with s3fs, and boto3 are the peers: installed for the
## benchmark only, when pip can (the tables say how to add them if not).
bench:
	-python3 -m pip install --quiet polars boto3 pandas s3fs
	cargo bench -p catalog --bench previews
	cargo bench -p catalog --bench scan
	cargo bench -p catalog --bench pages
	cargo bench -p catalog --bench formats
	cargo bench -p server --bench lists
	cargo bench -p server --bench imports

## Time to first contentful paint and to hydration of the home and sign-in pages in
## Chromium on a cold cache, unthrottled and on "Fast 3G", against the release build (a table
## of medians; nothing asserted). PAINT_LOADS sets the loads per row (default 5).
paint-times: setup-test
	scripts/paint-times.sh

## 60 s of mixed imports, replaces, deletes and previews on two replicas of the release
## server over one S3 store; fails on a stale read after the bound, an error other than an
## expected conflict, or an upload left behind. DBM_SOAK_SECS changes the length.
soak: setup
	cargo bench -p server --bench soak

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --test

# Views are type-erased (`--cfg erase_components`) in the server and the wasm alike (the
# two must match to hydrate): the release wasm is a quarter smaller than without it.
# `--split` puts each lazily loaded route in its own wasm file (app/src/pages/mod.rs);
# `--precompress` writes .br and .gz copies the server sends instead of compressing on
# every request.
RELEASE_SITE_FLAGS := --release --split --precompress
build-release:
	rm -rf target/site/pkg
	RUSTFLAGS="--cfg erase_components" cargo leptos build $(RELEASE_SITE_FLAGS)
	scripts/precompress-gzip.sh

fmt-check:
	cargo fmt --all --check

fmt:
	cargo fmt --all

lint: lint-server lint-wasm

# The frontend is the wasm crate; natively it would unify `hydrate` with `ssr` on `app`.
lint-server:
	cargo clippy --workspace --exclude frontend --all-targets --features catalog/testing -- -D warnings

lint-wasm:
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

wasm-deps:
	scripts/check-wasm-deps.sh

# The browser bundle as `make run` serves it (release profile, wasm-bindgen, wasm-opt):
# release builds hit limits debug builds do not (rustc's query depth on deep view types),
# and the size of what the home page downloads has a budget, in KB of gzip as the server
# sends it, checked here. The site's files are removed first so that the size check and
# the server see only what this build wrote (lazily loaded files are numbered per build).
WASM_GZIP_BUDGET_KB ?= 300
wasm-release:
	rm -rf target/site/pkg
	RUSTFLAGS="--cfg erase_components" cargo leptos build $(RELEASE_SITE_FLAGS) --frontend-only
	scripts/precompress-gzip.sh
	scripts/check-wasm-size.sh $(WASM_GZIP_BUDGET_KB)

# With the flags and the name cargo-leptos compiles the debug server with (`--cfg
# erase_components`, LEPTOS_OUTPUT_NAME), so the end-to-end build after it reuses the crates
# the tests compiled instead of compiling them all again.
unit:
	RUSTFLAGS="--cfg erase_components" LEPTOS_OUTPUT_NAME=database-manager \
	  cargo test --workspace --exclude frontend

# The debug server (the binary `make unit` compiled) with the release site `wasm-release`
# built: the bundle whose size is checked is the one the browser tests run.
e2e: wasm-release
	scripts/e2e.sh --release-site
