# The two commands: `make run` and `make test`. Everything else is a helper for them.
PORT ?= 8000
# Local runs and tests are development; production sets DJANGO_ENV itself (see README.md).
export DJANGO_ENV ?= development
VENV := .venv
PY := $(VENV)/bin/python
# Without DATABASE_URL, commands run inside the project-local PostgreSQL (engagements/infrastructure/localdb.py),
# which is started for them and stopped after them.
WITH_DB := $(if $(DATABASE_URL),,$(PY) -m engagements.infrastructure.localdb run --)

.PHONY: run test install browser-deps system-deps lint format editor db-stop migrate seed clean bench bench-scale bench-import hsg-report backup restore

$(VENV)/.installed: pyproject.toml
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# axe-core for the browser tests' accessibility checks and vnu-jar, the W3C HTML checker
# (package.json; node_modules is ignored).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser-deps: node_modules/.installed

# Debian packages the suite drives (chromium, caddy, docker-compose, redis-server, npm, java),
# installed when missing: deploy/system-deps.sh.
system-deps:
	sh deploy/system-deps.sh

run: install
	$(WITH_DB) sh -c '$(PY) manage.py migrate --noinput && \
		$(PY) manage.py load_seed && \
		$(PY) manage.py import_hsg && \
		exec $(VENV)/bin/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT)'

test: system-deps install browser-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(WITH_DB) sh -c '$(PY) manage.py makemigrations --check --dry-run && \
		$(VENV)/bin/pytest $(ARGS)'

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# make editor [GROUP=publishers] [USERNAME=ada]; DJANGO_EDITOR_PASSWORD=… skips the prompt.
GROUP ?= editors
editor: install
	$(WITH_DB) sh -c '$(PY) manage.py migrate --noinput >/dev/null && \
		$(PY) manage.py create_editor --group $(GROUP) $(if $(USERNAME),--username $(USERNAME))'


migrate: install
	$(WITH_DB) $(PY) manage.py migrate

# Coverage of the Office of the Historian import (also at /admin/hsg-report/).
hsg-report: install
	$(WITH_DB) $(PY) manage.py hsg_report

# Backups of the app's database (DATABASE_URL, or the local one): engagements/infrastructure/backup.py.
backup: install
	$(WITH_DB) $(PY) manage.py backup $(if $(FILE),--output $(FILE))

restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=backups/engagements-....dump" >&2; exit 2; }
	$(WITH_DB) $(PY) manage.py restore $(if $(YES),--noinput) $(FILE)

db-stop:
	$(PY) -m engagements.infrastructure.localdb stop

clean: db-stop
	rm -rf $(VENV) .pgdata staticfiles node_modules

# Load benchmark on 100,000 synthetic encounters in a database of its own (.pgdata/bench/), built
# once and reused; the app runs under gunicorn in production mode. See README.md, "Performance".
bench: install
	$(PY) bench/run.py

# The scale curve (docs/operators.md, "Performance"): the bench at 10,000, 1,000,000 and 100,000
# encounters, each in a database of its own (the 1,000,000 one takes half an hour to build),
# then their uncached pages and mix side by side.
bench-scale: install
	BENCH_COUNT=10000 $(PY) bench/run.py
	BENCH_COUNT=1000000 $(PY) bench/run.py
	$(PY) bench/run.py
	$(PY) bench/run.py --scale

# The admin's CSV import of IMPORT_BENCH_ROWS (10,000) rows: the dry run's time, queries and page
# size (bench/import_dry_run.py; ARGS=--confirm also times the confirmed import).
bench-import: install
	LOCALDB_NAME=engagements_import_bench $(PY) -m engagements.infrastructure.localdb run -- \
		$(PY) bench/import_dry_run.py $(ARGS)
