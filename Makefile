# Newsroom: `make run` serves the site, `make test` runs the whole suite.
# Both create the virtualenv and install requirements.txt on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FIXTURES := 01_organisations 02_appeals 03_articles
DEV_ENV := DEBUG=1

.PHONY: run test install lint format fixtures editor-password

$(INSTALLED): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(INSTALLED)

install: $(INSTALLED)

run: $(INSTALLED)
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py loaddata $(FIXTURES)
	$(DEV_ENV) $(BIN)/python manage.py ensure_editor
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

fixtures: $(INSTALLED)
	$(DEV_ENV) $(BIN)/python manage.py loaddata $(FIXTURES)

editor-password: $(INSTALLED)
	$(DEV_ENV) $(BIN)/python manage.py changepassword editor

test: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
