# A newcomer needs two targets: `make run` (set up and open the dashboard) and `make test` (set up and
# run every test, Chromium included). Both install what they need on a fresh Debian machine.
VENV := .venv
PYTHON := $(VENV)/bin/python
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format bench bench-sync bench-hostile bench-browser validate browser-deps system-deps

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PYTHON) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Debian's Chromium renders static exports (kaleido) and runs the end-to-end tests; Playwright's own
# browser download is never used. The tests also start their own PostgreSQL server (Debian's binaries) and
# nginx (the team deployment's reverse proxy); neither runs as a service for them, and the dashboard alone
# needs neither.
browser-deps:
	@command -v chromium >/dev/null && fc-list | grep -qi liberation || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-liberation >/dev/null; }

system-deps: browser-deps
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -x /usr/sbin/nginx ] || { \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql nginx >/dev/null; }

run: browser-deps $(VENV)/.installed
	$(PYTHON) -m streamlit run serve.py --server.port $(PORT) --server.headless false

# One test process per core: the browser tests spend much of their time waiting on a served app and Chromium.
test: system-deps $(VENV)/.installed-dev
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m tensions validate
	$(PYTHON) -m pytest -n logical --dist worksteal

lint: $(VENV)/.installed-dev
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .

format: $(VENV)/.installed-dev
	$(PYTHON) -m ruff format .
	$(PYTHON) -m ruff check --fix .

validate: $(VENV)/.installed
	$(PYTHON) -m tensions validate

bench: $(VENV)/.installed-dev
	$(PYTHON) -m tensions bench --events 1000000

# Build hostile files (ZIP bombs, garbage rows, endless lines…) and print what importing each costs.
bench-hostile: $(VENV)/.installed-dev
	$(PYTHON) -m tensions bench-hostile

# Serve the app and a trivial one-chart app, and time each page's first chart, redraws and the map PNG in Chromium.
bench-browser: browser-deps $(VENV)/.installed-dev
	$(PYTHON) -m tensions bench-browser

# N reader sessions (default 20) changing filters through the deployment's proxy (deploy/nginx.conf, run by Debian's
# nginx) across two app replicas: median and 95th percentile of a filter change, and the errors.
.PHONY: bench-load
bench-load: system-deps $(VENV)/.installed-dev
	$(PYTHON) -m tests.deploy.bench_load --sessions $(or $(SESSIONS),20)

# Sync 100,000 ACLED rows from the stub API (tests/ingest/sync/stubs.py): time and peak memory.
bench-sync: $(VENV)/.installed-dev
	$(PYTHON) -m tests.ingest.sync.bench_sync --rows 100000

# Copy 10 million synthetic events into a private PostgreSQL server (started as the tests start theirs) and time
# each figure drawn from SQL sums, beside the file store at 1 million.
bench-postgres: system-deps $(VENV)/.installed-dev
	$(PYTHON) -m tests.bench.postgres_bench --events 10000000
