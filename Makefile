# UnionPortal: `make run` and `make test` set everything up on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# What WeasyPrint, the PDF checks and the browser tests need from the system.
APT_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils chromium chromium-headless-shell gettext \
	libpango-1.0-0 libpangoft2-1.0-0 libreoffice-calc-nogui redis-server
HOST ?= 127.0.0.1
PORT ?= 8000
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: help run test system-deps e2e-deps venv messages fonts lint check serve bench clean

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

# The print fonts (unionportal/print_fonts.py: Noto CJK SC, everyday hanzi first and cut out as a
# small face of their own beside the whole, for small and fast PDFs),
# made from Debian's fonts-noto-cjk into var/fonts; faces already current are kept.
fonts: system-deps venv
	$(PY) manage.py build_print_fonts

# Development: debug on (unless set) for every step; `seed --demo` refuses without it.
run: export DJANGO_DEBUG ?= 1
run: system-deps venv messages fonts
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed --demo
	$(PY) manage.py collectstatic --noinput -v0
	@# The job worker (manage.py work) runs beside the server and stops with it.
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py work & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; \
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

check: venv messages
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# axe-core (npm, pinned in tests/e2e/package-lock.json) for the browser tests' accessibility audit only.
e2e-deps: system-deps
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; \
	  else echo "npm is missing. Run this as root, then try again:"; echo "  sudo apt-get install -y nodejs npm"; exit 1; fi; }
	@test -d tests/e2e/node_modules/axe-core || npm ci --prefix tests/e2e --no-audit --no-fund

# The suite on TEST_WORKERS processes (pytest-xdist; `auto`: one per core), each with its own test
# database; tests/conftest.py groups what must run together on one worker (--dist loadscope).
TEST_WORKERS ?= auto
test: system-deps venv messages fonts lint check e2e-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope

# Benchmarks (docs/benchmarks.md): the micro-benchmarks on a scratch database (BENCH_DATABASE_URL,
# flushed), then — with BENCH_CITY_DATABASE_URL (PostgreSQL, recreated) — the city of
# bench/generate.py, throughput against the floor (gunicorn + wrk), the heavy paths and the
# load test (locust, BENCH_LOAD_SECONDS, default 600).  Every figure is printed beside its floor.
BENCH_LOAD_SECONDS ?= 600
bench: venv messages fonts
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; \
	  else echo "wrk is missing. Run this as root, then try again:"; echo "  sudo apt-get install -y wrk"; exit 1; fi; }
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) bench/run.py
	@if [ -n "$$BENCH_CITY_DATABASE_URL" ]; then \
	  db="$${BENCH_CITY_DATABASE_URL##*/}"; server="$${BENCH_CITY_DATABASE_URL%/*}"; \
	  psql "$$server/postgres" -qc "DROP DATABASE IF EXISTS $$db" && \
	  psql "$$server/postgres" -qc "CREATE DATABASE $$db" && \
	  BENCH_DATABASE_URL="$$BENCH_CITY_DATABASE_URL" $(PY) -m bench.generate full && \
	  BENCH_DATABASE_URL="$$BENCH_CITY_DATABASE_URL" $(PY) -m bench.pages 20 && \
	  BENCH_DATABASE_URL="$$BENCH_CITY_DATABASE_URL" $(PY) -m bench.throughput 15 && \
	  BENCH_DATABASE_URL="$$BENCH_CITY_DATABASE_URL" $(PY) -m bench.heavy && \
	  BENCH_DATABASE_URL="$$BENCH_CITY_DATABASE_URL" $(PY) -m bench.load $(BENCH_LOAD_SECONDS) 200; \
	else echo "Set BENCH_CITY_DATABASE_URL=postgres://…/up_bench for the city-scale benchmarks (issue 13)."; fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache $(MO_FILES)
