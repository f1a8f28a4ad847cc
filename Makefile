# The two commands: `make run` serves the app, `make test` runs every test.
# Both install whatever is missing first (see scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(PATH)

# Browser tests get a free port and a throw-away data folder, so they can run
# while `make run` (or another checkout's tests) is serving.
ifndef E2E_ADDR
E2E_ADDR := 127.0.0.1:$(shell command -v node >/dev/null && node -e "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
endif
E2E_DATA ?= target/e2e-data

.PHONY: run test bench setup setup-test lint unit e2e

# --split: the island of every page but the dashboard is a wasm chunk of its
# own (`#[island(lazy)]`); a build without it cannot load them.
run: setup
	cargo leptos serve --split

test: setup-test
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) e2e

# Release builds; each bench prints its figures (see the README's Benchmarks).
bench: setup-test
	cargo bench --features ssr --bench sync
	cargo bench --features ssr --bench dashboard
	cargo bench --features ssr --bench page_cost
	cargo bench --features ssr --bench agency
	cargo bench --features ssr --bench polls
	cargo bench --features ssr --bench apps_inbound
	cargo bench --features ssr --bench mapping
	cargo bench --features ssr --bench read_api
	cargo bench --features ssr --bench automations
	benches/bundle.sh

setup:
	scripts/setup.sh run

setup-test:
	scripts/setup.sh test

lint:
	cargo fmt --all --check
	cargo clippy --features ssr --all-targets -- -D warnings
	cargo clippy -p switchboard-sandbox --all-targets -- -D warnings
	cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

# The sandbox crate first: it builds and tests without the app.
unit:
	cargo test -p switchboard-sandbox
	cargo test --features ssr

e2e:
	rm -rf $(E2E_DATA) end2end/screenshots end2end/test-results
	mkdir -p end2end/screenshots
	cargo leptos build --split
	RUST_LOG=$${RUST_LOG:-warn,switchboard=info} \
	  SWITCHBOARD_DATA_DIR=$(CURDIR)/$(E2E_DATA) LEPTOS_SITE_ADDR=$(E2E_ADDR) \
	  BASE_URL=http://$(E2E_ADDR) cargo leptos end-to-end --split
	node end2end/check-results.mjs end2end/test-results/results.json
