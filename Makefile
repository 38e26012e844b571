# `make demo` and `make test` each create or reuse .venv; nothing else to install by hand.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test bench fuzz reference clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,distributed]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf demo-out
	$(VENV)/bin/segtool rasterize examples/annotations -o demo-out/masks
	$(VENV)/bin/segtool score examples/predictions demo-out/masks

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH)

fuzz: $(STAMP)
	$(PY) -m pytest -m slow tests

reference: $(STAMP)
	$(PY) -m pip install --quiet -r benchmarks/requirements-reference.txt
	$(PY) -m pytest -m reference tests

clean:
	rm -rf $(VENV) demo-out bench-out
