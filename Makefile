# The one entry point: build, demo, test, bench. Every target installs what
# it needs, so a fresh clone on a fresh machine works.
SHELL := /bin/bash
WASM_BINDGEN_VERSION := 0.2.130
TARGET := wasm32-unknown-unknown
# The package's wasm is built by a pinned nightly that rebuilds the standard
# library for size, with panics that abort at once (no panic messages or
# formatting machinery in the wasm): docs/size.md measures it. Everything
# else (host tests, clippy, the wasm tests) runs on stable.
NIGHTLY := nightly-2026-05-20
RAW_WASM := target/nightly/$(TARGET)/release/airstore_wasm.wasm
BINDGEN := build/bindgen
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: build demo test bench bench-shapes setup setup-rust setup-node setup-browser test-rust test-wasm test-alloc test-js test-types test-reliability test-size test-package test-standin test-worker test-pack test-e2e lint clean

build: setup-rust setup-node
	RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" cargo +$(NIGHTLY) build --release --target $(TARGET) \
		--features small-allocator -Zbuild-std=std,panic_abort --target-dir target/nightly
	rm -rf $(BINDGEN)
	wasm-bindgen --target web --no-typescript --remove-name-section --out-dir $(BINDGEN) $(RAW_WASM)
	# Inlining the smallest functions (up to 6 nodes) everywhere and telling wasm-opt that
	# Rust leaves the first 1 KB of memory alone (the stack sits below the data, from 1 MB
	# down) took 0.3 KB gzipped off; both measured in docs/size.md.
	wasm-opt -Oz --always-inline-max-function-size 6 --low-memory-unused --strip-debug --strip-producers $(BINDGEN)/airstore_wasm_bg.wasm -o build/airstore_wasm_bg.wasm
	node tools/build.mjs
	@ls -l pkg/dist/airstore_wasm_bg.wasm | awk '{print "pkg/dist/airstore_wasm_bg.wasm: " $$5 " bytes"}'

setup: setup-rust setup-node setup-browser

# The wasm target and wasm-bindgen-cli at exactly the version the crate pins.
setup-rust:
	@rustup target list --installed 2>/dev/null | grep -qx $(TARGET) || rustup target add $(TARGET)
	@cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
	@rustup run $(NIGHTLY) rustc --version >/dev/null 2>&1 && [ -d "$$(rustup run $(NIGHTLY) rustc --print sysroot)/lib/rustlib/src/rust/library" ] || \
		rustup toolchain install $(NIGHTLY) --profile minimal --component rust-src
	@if ! wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$"; then \
		echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 3 minutes)"; \
		cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

setup-node: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian's Chromium, for the browser tests (playwright-core drives it).
setup-browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: build setup-browser lint test-rust test-wasm test-alloc test-js test-types test-reliability test-size test-package test-standin test-worker test-pack test-e2e

test-rust:
	cargo test --lib

lint:
	cargo clippy --lib --target $(TARGET) --release --features small-allocator -- -D warnings
	cargo clippy --lib -- -D warnings

test-wasm:
	cargo test --target $(TARGET) --test platform

# lol_alloc, the package's allocator, under stress in Node (docs/allocator.md);
# the test binary must link it, or the test proved nothing about it.
test-alloc:
	cargo test --target $(TARGET) --features small-allocator --test alloc
	@wasm=$$(ls -t target/$(TARGET)/debug/deps/alloc-*.wasm | head -1); \
		grep -q lol_alloc "$$wasm" || { echo "$$wasm does not link lol_alloc"; exit 1; }

test-js:
	node --test --test-concurrency=1 tests/js/

test-types:
	node tests/types/run.mjs

# fast-check at the JS boundary, the fault matrix, secrets, load in Node and workerd.
test-reliability:
	node --test --test-concurrency=1 tests/reliability/

# The browser download (JS + wasm, gzip -9) against its ceiling: bytes are exact.
test-size:
	node --test tests/size/

# The tarball's LICENSE and repository fields, the allocator's exact pin.
test-package:
	node --test tests/package/

# The stand-in Airstore itself (what the other suites talk to), e.g. its return_to check.
test-standin:
	node --test tests/server/

# The example Worker's rules in workerd (Miniflare): origins, content type,
# Sec-Fetch-Site, authenticate, returnTo, errors, rate limit, security headers.
test-worker:
	node --test --test-concurrency=1 tests/worker/

# npm pack, installed and run in seven runtimes (Node ESM/CJS, workerd via wrangler + Miniflare, Vite and a plain
# page in Chromium, Deno, Bun), plus an esbuild bundle with and without its .wasm, a strict CSP and a Next.js 15 app.
test-pack:
	node --test tests/pack/

# The demo in Chromium: connect, deny, close the popup (demo.test.mjs); the
# connect flow (flow.test.mjs): a COOP consent page, the return page's
# latency (test-results/flow-latency.md), a closed or blocked popup, redirect
# and resume(), a hidden tab, the React hook under StrictMode, a forged message.
test-e2e:
	node --test --test-concurrency=1 tests/e2e/

demo: build
	node www/demo.mjs

bench: build
	node bench/run.mjs

# What the shape of the bindings costs per call (docs/speed.md).
bench-shapes: setup-rust setup-node
	node bench/shapes/run.mjs

clean:
	rm -rf target build pkg/dist node_modules
