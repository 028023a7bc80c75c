# Renshi — developer and operator entry points.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: install demo run test test-fast lint migrate seed messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed  ## create .venv/ with the pinned dependencies

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

demo: seed  ## migrate, load the demo company, run web + Celery worker + beat on SQLite
	$(BIN)/python manage.py demo_logins
	$(BIN)/python scripts/run_demo.py --host $(HOST) --port $(PORT)

test: install  ## the whole test suite (browser tests skip with a reason when Chromium is missing)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python -m pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .

messages: install  ## refresh and compile the translations
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	$(BIN)/python bench/directory.py

clean:
	rm -rf var/*.sqlite3* var/static
