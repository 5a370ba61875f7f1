# Newsroom: `make run` serves the site, `make test` runs the whole suite.
# Both create the virtualenv and install requirements.txt on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FIXTURES := 01_organisations 02_appeals 03_articles
DEV_ENV := DEBUG=1

POSTGRES_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: quote-lexicon run serve worker test lint-check test-sqlite test-postgres install lint format fixtures editor-password backup restore

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(INSTALLED)

install: $(INSTALLED)

# Background work (purges, receipts, relinking) is stored in the database and run by
# a worker process: `make run` and `make serve` start one beside the web server and stop
# it with them (Ctrl-C reaches both); `make worker` runs one alone.
WORKER := manage.py db_worker --interval 0.5

run: $(INSTALLED)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py loaddata $(FIXTURES)
	$(DEV_ENV) $(BIN)/python manage.py ensure_editor
	$(DEV_ENV) $(BIN)/python $(WORKER) --no-reload --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production-like: DEBUG off, gunicorn with two workers, WhiteNoise serving compressed,
# hashed static files. Plain HTTP on 127.0.0.1, so HTTPS-only settings are relaxed in
# the generated .env (which also holds a random SECRET_KEY and is never committed).
serve: $(INSTALLED) .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py loaddata $(FIXTURES)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py ensure_editor
	$(BIN)/python $(WORKER) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn newsroom.wsgi:application --bind 127.0.0.1:8000 --workers 2 --preload \
	  --access-logfile - --forwarded-allow-ips 127.0.0.1

# One worker alone, for the tasks of a server started some other way (DATABASE_URL and
# the other settings as the server's).
worker: $(INSTALLED)
	$(BIN)/python $(WORKER)

.env:
	@printf 'SECRET_KEY=%s\nSECURE_SSL_REDIRECT=0\nSECURE_COOKIES=0\nSECURE_HSTS_SECONDS=0\nSERVE_MEDIA=1\n' \
	  "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env with a new random SECRET_KEY."

# Every row and media file in one archive under backups/; works on SQLite and
# PostgreSQL alike (DATABASE_URL decides). `make restore FILE=backups/….tar.gz`.
backup: $(INSTALLED)
	$(BIN)/python manage.py backup

restore: $(INSTALLED)
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/newsroom-….tar.gz" >&2; exit 2)
	$(BIN)/python manage.py restore "$(FILE)"

fixtures: $(INSTALLED)
	$(DEV_ENV) $(BIN)/python manage.py loaddata $(FIXTURES)

editor-password: $(INSTALLED)
	$(DEV_ENV) $(BIN)/python manage.py changepassword editor

# The whole suite twice: on SQLite with the local-memory cache, then on the PostgreSQL
# server with Redis as the cache. Without those servers the second run is skipped with
# its reason, except under CI=true, where that is a failure.
test: lint-check test-sqlite test-postgres

lint-check: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: $(INSTALLED)
	@echo "== Test suite on SQLite =="
	$(BIN)/pytest

test-postgres: $(INSTALLED)
	@status=0; $(BIN)/python -m tests.services postgres redis || status=$$?; \
	if [ $$status -eq 0 ]; then \
	  echo "== Test suite on PostgreSQL with Redis =="; \
	  DATABASE_URL=$(POSTGRES_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest; \
	elif [ $$status -ne 1 ]; then exit $$status; fi

lint: $(INSTALLED)
	$(BIN)/ruff check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The attribution cue words the quote parser ships with, learned from PolNeAR's train
# split in ../shared (bench/quote_lexicon.py says how).
quote-lexicon: $(INSTALLED)
	$(BIN)/python bench/quote_lexicon.py
