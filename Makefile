# One entry point for people and CI: make run | test | lint | bench | ingest | clean
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LLM_STAMP := $(VENV)/.installed-llm-test
BROWSER_STAMP := $(VENV)/.installed-browser-test
PYTHON ?= python3

# Everything runs offline: the embedding model ships inside a package.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export TOKENIZERS_PARALLELISM := false

.PHONY: install run ingest test lint typecheck bench bench-llm eval clean

install: $(STAMP)

# torch first, pinned to the CPU build; then the project with its dev extras.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check torch==2.13.0
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# The tests' own LLM server: llama.cpp (a few minutes to build, once per machine) and a small GGUF model.
# llama.cpp's native build turns on every instruction set the CPU has, AMX included, and its AMX
# matrix kernels crash on the first product on some machines; the portable build (AVX2, no AVX-512 or
# AMX) runs everywhere. The wheel is kept outside the venv, so a fresh clone does not build it again.
LLAMA_CPP_VERSION ?= 0.3.36
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF
LLAMA_WHEELS ?= $(HOME)/.cache/playbook-coach/llama-cpp-python-$(LLAMA_CPP_VERSION)-portable
$(LLM_STAMP): $(STAMP)
	@ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || { \
		echo "Building llama.cpp for the LLM tests (once per machine; a few minutes)..."; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip wheel -q --disable-pip-version-check --no-cache-dir \
			--no-deps -w $(LLAMA_WHEELS) llama-cpp-python==$(LLAMA_CPP_VERSION); }
	@$(PY) -m pip install -q --disable-pip-version-check --find-links $(LLAMA_WHEELS) \
		'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)' -e '.[dev,llm-test]'
	@touch $(LLM_STAMP)

# The browser test: Playwright from PyPI and Debian's Chromium (as root, or through sudo).
$(BROWSER_STAMP): $(STAMP)
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,browser-test]'
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser test..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo -n ); \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@touch $(BROWSER_STAMP)

ingest: install
	@$(VENV)/bin/coach ingest

run: ingest
	@$(PY) app.py

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

typecheck: install
	@$(VENV)/bin/mypy assistant app.py tests

test: lint typecheck $(LLM_STAMP) $(BROWSER_STAMP)
	@$(PY) -m pytest -q

BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	@$(PY) -m assistant.evaluation.bench

# The openai provider with a real model over the gold set (a local llama.cpp + Gemma 3 270M by default).
bench-llm: $(LLM_STAMP)
	@$(PY) -m assistant.evaluation.model_check

# The eval harness on the test split; fails when eval/thresholds.json is crossed.
eval: install
	@$(VENV)/bin/coach eval --split test --out eval/reports/latest --gate

clean:
	rm -rf .coach .pytest_cache .ruff_cache .mypy_cache .artifacts
