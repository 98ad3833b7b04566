# Parley's front door: `make run` serves the demo on http://127.0.0.1:8000, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint messages install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# The W3C Nu HTML Checker (npm's vnu-jar, run on Java). Without npm the HTML checks skip
# with a message, except in CI, where they must run.
VNU := .tools/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU):
	-command -v npm >/dev/null && npm install --prefix .tools --ignore-scripts --no-audit --no-fund --silent vnu-jar@26

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/parley db upgrade
	$(BIN)/parley demo load
	$(BIN)/parley users ensure-admin
	$(BIN)/parley serve --host $(HOST) --port $(PORT)

lint: install-dev $(VNU)
	$(BIN)/ruff check app tests migrations bench

# The suite runs on SQLite, and again on PostgreSQL when PARLEY_TEST_DATABASE_URL is set (the
# browser journeys run once: their live server always has a SQLite database of its own).
test: lint
	$(BIN)/python -m pytest
	@if [ -n "$$PARLEY_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		PARLEY_TEST_BACKEND=postgres $(BIN)/python -m pytest -m "not browser"; \
	fi

# New or changed messages into every catalogue (app/locale/<code>/LC_MESSAGES/messages.po);
# then translate what is new: the suite fails while a catalogue lacks a message.
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --project=Parley \
		--copyright-holder=Parley --ignore-dirs=".* __pycache__" -o app/locale/messages.pot .
	for code in hy az ru; do \
		$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/locale/messages.pot -d app/locale -l $$code; \
	done

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
