# Developer and CI entry points. `make check` runs every check; `make demo` runs the main job offline.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install check lint typecheck test demo bench
install: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check worker tests bench
	$(PY) -m ruff format --check worker tests bench

typecheck: $(STAMP)
	$(PY) -m mypy

test: $(STAMP)
	$(PY) -m pytest -q

check: lint typecheck test

demo: $(STAMP)
	$(VENV)/bin/playlist-worker demo

bench: $(STAMP)
	$(PY) bench/run.py --quick
