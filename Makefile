# botdesk: `make run` runs the app, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
# npm writes this file on every install: newer than the lock file means node_modules is current.
UI_DEPS := ui/node_modules/.package-lock.json
E2E_DEPS := tests/e2e/node_modules/.package-lock.json

.PHONY: help run serve test test-rust test-openapi test-ui test-e2e bench fuzz fmt lint ui deps deps-test

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

deps: ## Install the system packages for building and running (only those missing)
	@scripts/ensure-system-deps.sh build

deps-test: ## Install the system packages the tests need (only those missing)
	@scripts/ensure-system-deps.sh build test

$(UI_DEPS): ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund

$(E2E_DEPS): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund

ui: $(UI_DEPS) ## Build the web UI into ui/dist (the desktop app and `serve` both use it)
	cd ui && npm run build

run: deps ui ## Run the desktop app; with no display, run `botdesk serve` and print its URL
	@if [ -n "$${DISPLAY:-}" ] || [ -n "$${WAYLAND_DISPLAY:-}" ]; then \
		$(CARGO) run --bin botdesk-desktop; \
	else \
		echo "no display: running headless (botdesk serve)"; \
		$(CARGO) run -p botdesk-server --bin botdesk -- serve; \
	fi

serve: deps ui ## Run headless: the REST API and the web UI on 127.0.0.1:8787
	$(CARGO) run -p botdesk-server --bin botdesk -- serve

test: deps-test ui ## Every check and test: formatting, lints, Rust, the OpenAPI document, UI, browser and desktop end-to-end
	$(MAKE) lint
	$(MAKE) test-rust
	$(MAKE) test-openapi
	$(MAKE) test-ui
	$(MAKE) test-e2e

test-rust:
	$(CARGO) test --workspace --locked

# The OpenAPI document, checked by a validator of the specification's own (pinned, from PyPI,
# in a virtualenv under target/) so that a generated client can use it. Its answers are
# checked against it by tests/it/openapi.rs.
OPENAPI_VALIDATOR := target/openapi-venv/bin/openapi-spec-validator
OPENAPI_VALIDATOR_VERSION := 0.9.0

$(OPENAPI_VALIDATOR):
	python3 -m venv target/openapi-venv
	target/openapi-venv/bin/pip install --quiet --disable-pip-version-check openapi-spec-validator==$(OPENAPI_VALIDATOR_VERSION)

test-openapi: $(OPENAPI_VALIDATOR)
	$(CARGO) build --locked --workspace --bins --tests
	target/debug/botdesk openapi > target/openapi.json
	$(OPENAPI_VALIDATOR) --validation-errors all target/openapi.json

test-ui: $(UI_DEPS)
	cd ui && npm test

# The end-to-end suites run the real binaries: build them first (cargo test does not build the
# desktop binary). Built with the test build's target selection (`--workspace --tests`), so
# that cargo resolves the same features as `cargo test --workspace` and reuses every crate it
# compiled, instead of building the dependency tree again with other features (libheif's C++
# among them). The desktop suite needs a display and a D-Bus session.
test-e2e: $(E2E_DEPS)
	$(CARGO) build --locked --workspace --bins --tests
	cd tests/e2e && npm run browser
	cd tests/e2e && xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- npm run desktop
	@echo "screenshots: tests/e2e/artifacts/"

lint: $(UI_DEPS) ## Formatting and lints (Rust and UI)
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	cd ui && npm run typecheck && npm run lint

QUEUE_BENCH_JOBS ?= 20000

bench: deps ## Benchmarks (release builds): templates, the preview endpoint, the job queue beside BullMQ, media beside sharp, webhooks, sync
	@command -v wrk >/dev/null || sudo_or_not=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		command -v wrk >/dev/null || $$sudo_or_not apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends wrk
	bench/templates.sh
	bench/queue.sh $(QUEUE_BENCH_JOBS)
	bench/media.sh
	bench/upload.sh
	bench/webhooks.sh
	bench/sync.sh

FUZZ_SECONDS ?= 300

fuzz: ## Fuzz the template parser and renderer (FUZZ_SECONDS, default 300); not part of make test
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
	@# libFuzzer needs nightly compiler flags: the nightly toolchain when there is one, else stable
	@# told to accept them.
	mkdir -p fuzz/corpus/templates
	cd fuzz && if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then toolchain=+nightly; \
		else toolchain=; export RUSTC_BOOTSTRAP=1; fi; \
		cargo $$toolchain fuzz run templates corpus/templates seeds/templates -- \
			-max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10

fmt: ## Format the Rust code
	$(CARGO) fmt --all
