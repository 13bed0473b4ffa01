# UnionPortal: `make run` and `make test` set everything up on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# What WeasyPrint, the PDF checks and the browser tests need from the system.
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium gettext \
	libpango-1.0-0 libpangoft2-1.0-0 libreoffice-calc-nogui
HOST ?= 127.0.0.1
PORT ?= 8000
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: help run test system-deps e2e-deps venv messages lint check serve bench clean

help:
	@echo "make run    install what is missing, migrate, load the documents and demo accounts, serve http://$(HOST):$(PORT)"
	@echo "make test   install what is missing, then lint, check and run the whole test suite"

system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$pkg 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Missing Debian packages. Run this as root, then try again:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

messages: system-deps $(MO_FILES)

# Development: debug on (unless set) for every step; `seed --demo` refuses without it.
run: export DJANGO_DEBUG ?= 1
run: system-deps venv messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed --demo
	$(PY) manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .

check: venv messages
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# axe-core (npm, pinned in tests/e2e/package-lock.json) for the browser tests' accessibility audit only.
e2e-deps: system-deps
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	  else echo "npm is missing. Run this as root, then try again:"; echo "  sudo apt-get install -y nodejs npm"; exit 1; fi; }
	@test -d tests/e2e/node_modules/axe-core || npm ci --prefix tests/e2e --no-audit --no-fund

test: system-deps venv messages lint check e2e-deps
	$(PY) -m pytest

bench: venv messages
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache $(MO_FILES)
