# The everyday commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# One test worker per core; a file's tests stay on one worker, so the browser
# and the server they share start once. The ten slowest tests are listed.
PYTEST_ARGS ?= --numprocesses auto --dist loadfile --durations 10
# Local development runs with DEBUG on; production sets its own environment.
export DEBUG ?= 1

.PHONY: install lock run serve-prod superuser test lint format fixtures messages ci

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exact versions from the lock file, then the project itself without resolving again.
$(VENV)/.installed: pyproject.toml requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.lock
	$(BIN)/python -m pip install --quiet -e . --no-deps
	touch $@

install: $(VENV)/.installed

# After changing the dependencies in pyproject.toml: pin them again, then `make install`.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements/dev.lock pyproject.toml

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) load_archive
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# Production: DEBUG off, gunicorn, settings from the environment (see README).
serve-prod: install
	@test -n "$$SECRET_KEY" || { echo "Refusing to start: set SECRET_KEY (and DATABASE_URL, ALLOWED_HOSTS)." >&2; exit 1; }
	DEBUG=0 $(MANAGE) migrate --noinput
	DEBUG=0 $(MANAGE) collectstatic --noinput --verbosity 0
	DEBUG=0 $(BIN)/gunicorn -c ccs_archive/gunicorn.conf.py ccs_archive.wsgi

# The first administrator, on the database that DATABASE_URL names (migrated first).
superuser: install
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) createsuperuser

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) build_fixtures --check
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Rebuild fixtures/archive.json after a change to the source texts or the parser.
fixtures: install
	$(MANAGE) build_fixtures

# Refresh the translation catalogues (needs GNU gettext) and compile them.
messages: install
	$(MANAGE) makemessages --locale fr --locale en --no-obsolete --ignore ".venv/*"
	$(MANAGE) compilemessages --ignore ".venv/*"

ci:
	bash .ci/run
