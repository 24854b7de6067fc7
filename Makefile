# The two commands a newcomer needs: `make run` and `make test`.
# Each installs what it needs first (uv, then the locked dependencies).
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: run test test-suite fuzz install bench clean

run: install
	$(UV) run --frozen wicc run

test: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen mypy .
	$(UV) run --frozen pytest

# The pytest suite alone (set TEST_DATABASE_URL / TEST_REDIS_URL to use other servers).
test-suite: install
	$(UV) run --frozen pytest

# The API fuzzer (tests/fuzz) at length, with fresh random cases, for use before a
# release; `make test` runs it with a few fixed examples per operation.
FUZZ_EXAMPLES ?= 200
fuzz: install
	WICC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(UV) run --frozen pytest tests/fuzz

install: $(UV)
	$(UV) sync --frozen --all-packages

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

bench: install
	$(UV) run --frozen python -m bench.board_fanout

clean:
	rm -rf .venv .tools .mypy_cache .ruff_cache .pytest_cache
