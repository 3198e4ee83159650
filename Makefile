# SSB Tracker: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python

# The first interpreter that actually runs and is Python >= 3.12.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$c; break; fi; done)

.PHONY: install run test lint migrate demo clean serve

# A local development server: debug pages on, development secret key.
run migrate demo: export DEBUG ?= 1

# Two installs, each with its own stamp: serving needs the app and its runtime dependencies
# (pyproject's dependencies); testing and linting add the dev tools ('.[dev]': pytest,
# Playwright, ruff, ...). `make install` installs both, as .ci/run needs.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed

install: $(DEV)

$(PY):
	@if [ -z "$(PYTHON)" ]; then echo "No Python >= 3.12 found: install one (python3.12 or newer) and retry." >&2; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# A virtualenv with the dev tools installed since pyproject.toml last changed has every
# runtime dependency already.
$(RUNTIME): pyproject.toml | $(PY)
	@if [ -f $(DEV) ] && [ $(DEV) -nt pyproject.toml ]; then touch $@; else \
	  echo "$(PY) -m pip install --quiet -e ."; $(PY) -m pip install --quiet -e . && touch $@; fi

$(DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(RUNTIME)

migrate: $(RUNTIME)
	$(PY) manage.py migrate --no-input

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@$(PY) manage.py local_editor_hint --port $(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The production server: gunicorn with WEB_CONCURRENCY workers, static files compressed and
# hashed by collectstatic and served by WhiteNoise, on 127.0.0.1:PORT behind the TLS proxy
# (which sets X-Forwarded-Proto). Needs SECRET_KEY. Over plain HTTP without a proxy, add
# SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0. GUNICORN_ARGS adds options (e.g. an access log:
# GUNICORN_ARGS="--access-logfile -"). Its sync workers read each request whole: put nginx in
# front (deploy/nginx/ssbtracker.conf) so that slow clients never reach them.
WEB_CONCURRENCY ?= 2
GUNICORN_TIMEOUT ?= 60
GUNICORN_ARGS ?=
serve: export DEBUG := 0
serve: export ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: $(RUNTIME)
	@if [ -z "$$SECRET_KEY" ]; then \
	  echo "make serve runs in production mode and needs SECRET_KEY, a long random string:" >&2; \
	  echo "  SECRET_KEY=\$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') make serve" >&2; \
	  exit 1; fi
	@# One collectstatic at a time: servers started together (two app servers, the tests)
	@# share STATIC_ROOT, and a second run would remove files the first is hashing.
	flock .collectstatic.lock $(PY) manage.py collectstatic --no-input -v0
	@echo "Serving http://127.0.0.1:$(PORT) with $(WEB_CONCURRENCY) gunicorn workers."
	exec $(VENV)/bin/gunicorn ssbtracker.wsgi --bind 127.0.0.1:$(PORT) \
	  --workers $(WEB_CONCURRENCY) --timeout $(GUNICORN_TIMEOUT) $(GUNICORN_ARGS)

# The suite on TEST_WORKERS pytest-xdist workers (`auto`: one a CPU). Tests that share a
# server or a Redis database are grouped (xdist_group) and run on one worker.
TEST_WORKERS ?= auto
test: $(DEV)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

lint: $(DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache
