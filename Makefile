# Claimline: `make run` sets everything up and serves http://127.0.0.1:8000; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint typecheck pytest browser bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)
	$(BIN)/claimline db upgrade
	@if $(BIN)/claimline kb --help >/dev/null 2>&1; then $(BIN)/claimline kb import; fi
	$(BIN)/claimline users ensure-admin

run: setup
	$(BIN)/claimline serve --host $(HOST) --port $(PORT)

# Debian's chromium drives the browser tests (never a downloaded browser).
browser:
	@test -x /usr/bin/chromium || { echo "installing Debian chromium for browser tests"; \
	  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk) >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check claimline tests benchmarks migrations

typecheck: $(STAMP)
	$(BIN)/mypy claimline

pytest: $(STAMP) browser
	$(BIN)/pytest

test: lint typecheck pytest

EVAL ?= ../shared/eval/dev_questions.jsonl

bench: $(STAMP)
	$(BIN)/python benchmarks/http.py
	$(BIN)/python benchmarks/law.py
	$(BIN)/python benchmarks/matching.py $(EVAL)
	$(BIN)/python benchmarks/matching.py benchmarks/data/written_questions.jsonl

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
