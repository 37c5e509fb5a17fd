# Two commands: `make run` starts the demo, `make test` runs the whole suite.
# Both set up what they need first (virtual environment, translations, browser).

VENV ?= .venv
PYTHON ?= python3
PORT ?= 5000
# The suite runs on every core (pytest-xdist); `make test PYTEST_ARGS=...` runs it your way.
PYTEST_ARGS ?= -n auto
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CATALOGUES := $(wildcard portal/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)

.PHONY: run test install translations extract-messages browser clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo "Demo on http://127.0.0.1:$(PORT) – accounts in README.md, password demo-portal-2026"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install translations browser
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

translations: $(COMPILED)

portal/translations/%/LC_MESSAGES/messages.mo: portal/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Refresh the catalogue after changing user-facing text, then translate the new entries.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k Reason -o portal/translations/messages.pot --no-location --sort-output --project "Jeugdzorgportaal" .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations --no-fuzzy-matching --ignore-obsolete

# Browser tests drive Debian's Chromium; install it when missing and allowed to.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium. Install it with: sudo apt-get install chromium" >&2; \
	    exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) instance .pytest_cache $(COMPILED)
