# One entry point for people and CI: make run | test | lint | bench | ingest | clean
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTHON ?= python3

# Everything runs offline: the embedding model ships inside a package.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install run ingest test lint typecheck bench clean

install: $(STAMP)

# torch first, pinned to the CPU build; then the project with its dev extras.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

ingest: install
	@$(VENV)/bin/coach ingest

run: ingest
	@$(PY) app.py

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

typecheck: install
	@$(VENV)/bin/mypy assistant

test: lint typecheck
	@$(PY) -m pytest -q

bench: install
	@$(PY) -m assistant.bench

clean:
	rm -rf .coach .pytest_cache .ruff_cache .mypy_cache
