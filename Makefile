# Each target creates or reuses .venv. `make demo` installs segtool alone (its core dependencies);
# `make test`, `lint`, `bench`, `fuzz` and `reference` add the test, distributed and lint extras to
# the same .venv. One stamp file per level, so each is installed once and again after pyproject.toml
# changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORE_STAMP := $(VENV)/.installed-core
DEV_STAMP := $(VENV)/.installed-dev
DEMO_OUT := demo-out
LINTED := src tests benchmarks

.PHONY: demo test lint bench fuzz reference clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(CORE_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

# The extras include the core, so the core stamp is renewed too.
$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,distributed,lint]'
	touch $@ $(CORE_STAMP)

# tests/test_readme.py runs these same recipe lines before the README's examples.
demo: $(CORE_STAMP)
	rm -rf $(DEMO_OUT)
	$(VENV)/bin/segtool rasterize examples/annotations -o $(DEMO_OUT)/masks
	$(VENV)/bin/segtool score examples/predictions $(DEMO_OUT)/masks

test: $(DEV_STAMP)
	$(PY) -m pytest

# ruff (lint rules and format) and mypy; their settings are in pyproject.toml. CI runs it before the tests.
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy

bench: $(DEV_STAMP)
	$(PY) benchmarks/run.py $(BENCH)

fuzz: $(DEV_STAMP)
	$(PY) -m pytest -m slow tests

reference: $(DEV_STAMP)
	$(PY) -m pip install --quiet -r benchmarks/requirements-reference.txt
	$(PY) -m pytest -m reference tests

clean:
	rm -rf $(VENV) $(DEMO_OUT) bench-out
