# The two commands of the README: `make run` opens the app, `make test` runs every test.
# Both create the virtual environment on first use, pinned by requirements.lock.

VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run demo test bench lint lock

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c requirements.lock -e '.[dev]'
	# An editable install has no bytecode of its own: compile it, as installing a wheel does, so
	# the first start is not spent compiling (and no start is where PYTHONDONTWRITEBYTECODE is set).
	$(VENV)/bin/python -m compileall -q patrol screens storage
	touch $(STAMP)

run: $(STAMP)  ## open the app on the default database
	$(VENV)/bin/patrol

demo: $(STAMP)  ## open the app on the demo hall
	$(VENV)/bin/patrol demo

test: $(STAMP)  ## lint, types, the import contracts, then every test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest

bench: $(STAMP)  ## the speed budgets: what a person meets in a terminal (../shared/tools/ui_speed.py) and the inner figures, each against a baseline of the same run
	$(VENV)/bin/python -m bench

lock:  ## re-pin the dependency tree after changing pyproject.toml
	$(VENV)/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
