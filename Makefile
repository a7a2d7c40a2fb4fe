# Ehrenamt forum: the two commands a newcomer needs are `make run` and `make test`.
# Needs only python3 (with venv) and GNU make; everything else goes into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app forum
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

# Translations: compile each .po into its .mo only when the .po changed.
# With no .po files yet this list is empty and nothing happens.
PO_FILES := $(wildcard forum/translations/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench translations clean distclean

help:
	@echo "make run    start the forum with German demo content on http://$(HOST):$(PORT)"
	@echo "make test   run the whole test suite (browser tests included)"
	@echo "make lint   ruff check and ruff format --check"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make clean  remove caches, test artifacts and compiled translations"

# --- Environment -------------------------------------------------------------------

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed ($(PYTHON) is older)."; exit 1; }
	$(PYTHON) -m venv $(VENV) || \
		{ rm -rf $(VENV); echo "Could not create $(VENV); on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }

# Stamp files: pip runs again only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

translations: $(MO_FILES)

%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

# The secret key is generated once per installation and never committed.
instance/config.py: | $(BIN)/python
	@mkdir -p instance
	@umask 077 && $(BIN)/python -c 'import secrets; print(f"SECRET_KEY = {secrets.token_hex(32)!r}")' > $@
	@echo "Wrote $@ with a new SECRET_KEY."

# --- Run ---------------------------------------------------------------------------

# `flask run` is one process: rate limits may be counted in its memory.
run: export FORUM_RATELIMIT_SINGLE_PROCESS = true
# Links in mails lead to the address this run serves, not the default port.
run: export FORUM_BASE_URL = http://$(HOST):$(PORT)
run: $(VENV)/.installed translations instance/config.py
	$(FLASK) db upgrade heads
	$(FLASK) demo load
	@# An index from an older version of the forum (or behind the database) is rebuilt.
	@$(FLASK) search status >/dev/null || $(FLASK) search reindex
	@echo
	@echo "Forum: http://$(HOST):$(PORT)/   (stop with Ctrl+C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# --- Checks ------------------------------------------------------------------------

test: $(VENV)/.installed-test translations
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The data set (100,000 posts, ~40 s) is built once; `bench/generate.py --reset` rebuilds it.
bench: $(VENV)/.installed-test
	@[ -f bench/data/bench.sqlite3 ] || $(BIN)/python bench/generate.py
	$(BIN)/python bench/run.py
	$(BIN)/python bench/search_bench.py

# --- Cleaning (never touches instance/: it holds the forum's data) ----------------

clean:
	rm -rf .pytest_cache .ruff_cache .coverage htmlcov test-artifacts build dist *.egg-info
	find forum tests -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -f $(MO_FILES)

distclean: clean
	rm -rf $(VENV)
