# jalon — `make demo` and `make test` work on a fresh clone: they create .venv themselves.
# `make demo ONCE=1` plays the demo scenario and exits instead of serving until Ctrl-C.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv demo test bench lint format migration serve clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: venv
	$(VENV)/bin/jalon demo $(if $(ONCE),--once)

test: venv
	$(VENV)/bin/pytest -q

bench: venv
	$(PY) benchmarks/run.py

lint: venv
	$(VENV)/bin/ruff check jalon tests benchmarks tools
	$(VENV)/bin/ruff format --check jalon tests benchmarks tools

format: venv
	$(VENV)/bin/ruff format jalon tests benchmarks tools
	$(VENV)/bin/ruff check --fix jalon tests benchmarks tools

migration: venv
	$(PY) tools/regen_migration.py

serve: venv
	$(VENV)/bin/jalon serve

clean:
	rm -rf $(VENV) demo *.egg-info
