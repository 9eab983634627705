# Foule: `make run` serves the platform with demo data (gunicorn, a Celery worker and beat,
# supervised), `make dev` is the development loop, `make test` runs the whole suite.
# All start an embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: install run dev test test-fast fuzz lint format bench services-up services-down messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(None if (3, 11) <= sys.version_info < (3, 14) else "Foule needs Python 3.11, 3.12 or 3.13 (this is " + sys.version.split()[0] + "): make PYTHON=python3.12 ...")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## the production shape: gunicorn, worker and beat, restarted if they die
	$(PY) scripts/run.py

dev: $(STAMP)  ## runserver, the debug toolbar, worker and beat restarted on code changes
	$(PY) scripts/run.py --dev

# The browser first: without one (and none installable) this stops before any test runs.
test: $(STAMP)
	$(PY) scripts/browser.py ensure
	$(PY) scripts/services.py run -- $(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)  ## everything but the browser, real-worker and API fuzzing tests
	$(PY) scripts/services.py run -- $(PY) -m pytest -m "not browser and not worker and not fuzz" $(PYTEST_ARGS)

# `make test` runs the API fuzzing too, with a fixed seed (about 6,000 requests); this runs
# only it, with three times the examples and a new random seed each time.
FUZZ_EXAMPLES ?= 300
FUZZ_SEED ?= random
fuzz: $(STAMP)  ## schemathesis against the whole API: no request may get a 5xx
	FOULE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FOULE_FUZZ_SEED=$(FUZZ_SEED) \
		$(PY) scripts/services.py run -- $(PY) -m pytest -m fuzz -s $(PYTEST_ARGS)

lint: $(STAMP)  ## style, formatting, the import layers of docs/architecture.md, migrations
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) scripts/services.py run -- $(PY) manage.py makemigrations --check --dry-run

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)  ## wrk load, pgbench, targets; BENCH_SECONDS=5 BENCH_IDEAS=5000 for a quick run
	$(PY) scripts/services.py run -- $(PY) scripts/bench/run.py

messages: $(STAMP)  ## refresh the French catalogue after changing strings (needs gettext)
	$(PY) manage.py makemessages -l fr --no-obsolete --ignore=.venv --ignore=.foule --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages -l fr --ignore=.venv

services-up: $(STAMP)
	$(PY) scripts/services.py up

services-down: $(STAMP)
	$(PY) scripts/services.py down

clean:
	-$(PY) scripts/services.py down
	rm -rf .foule staticfiles test-artifacts
