# The commands people type. `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PIP_VERSION ?= 26.3

.PHONY: install run test lint format seed migrate worker beat bench bench-scheduling browser-deps clean

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtualenv: install python3-venv (apt-get install python3-venv) and retry."; exit 1; }

# Exactly the pinned files: --no-deps installs only what they list, and pip check fails if a pin is missing.
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-dev.txt
	$(BIN)/python -m pip check
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info --schedule var/celerybeat-schedule

# Load figures with wrk (apt-get install wrk); e.g. make bench BENCH_ARGS="--duration 5".
bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Scheduling figures (bench/RESULTS.md): 200 providers, 5,000 patients, 100,000 appointments, then
# slots, search, a booking race and the appointment list. Defined on PostgreSQL only, e.g.
# make bench-scheduling DATABASE_URL=postgres://postgres@127.0.0.1:5432/medora_bench REDIS_URL=redis://127.0.0.1:6379/8
bench-scheduling: install
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
	  *) echo "bench-scheduling: the figures are defined on PostgreSQL; set DATABASE_URL=postgres://... (not SQLite)."; exit 2;; esac
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python bench/seed_scheduling.py $(SEED_ARGS)
	$(BIN)/python bench/scheduling.py $(BENCH_ARGS)

# Real-browser tests drive Debian's Chromium; this installs it (root or sudo needed).
browser-deps:
	command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

clean:
	rm -rf $(VENV) var
