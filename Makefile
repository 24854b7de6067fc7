# The two commands a newcomer needs: `make run` and `make test`.
# Each installs what it needs first (uv, then the locked dependencies).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
# Written by `npm ci` after every install, so it is newer than the lock it installed.
NODE_SPECS := node_modules/.package-lock.json

.PHONY: run test test-suite fuzz install bench clean

run: install
	$(UV) run --frozen wicc run

test: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy .
	$(UV) run --frozen lint-imports
	$(UV) run --frozen pytest

# The pytest suite alone (set TEST_DATABASE_URL / TEST_REDIS_URL to use other servers).
test-suite: install
	$(UV) run --frozen pytest

# The API fuzzer (tests/fuzz) at length, with fresh random cases, for use before a
# release; `make test` runs it with a few fixed examples per operation.
FUZZ_EXAMPLES ?= 200
fuzz: install
	WICC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(UV) run --frozen pytest tests/fuzz

install: $(UV) $(NODE_SPECS)
	$(UV) sync --frozen --all-packages

# The official AsyncAPI JSON Schemas (npm's @asyncapi/specs, locked in package-lock.json),
# which the tests check WICC's AsyncAPI document against. Installed again only when the
# lock changes. Without npm, `make run` still works; the AsyncAPI test then fails, saying why.
$(NODE_SPECS): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund; \
	else \
		echo "warning: npm not found; install Node.js for the AsyncAPI schema test" >&2; \
	fi

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

bench: install
	$(UV) run --frozen python -m bench.board_fanout

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache node_modules
