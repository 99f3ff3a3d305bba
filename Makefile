# DMS — the two commands are `make run` (demo, no servers needed) and `make test` (PostgreSQL + Redis).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

# Tests run on real PostgreSQL and Redis; override with your own URLs.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dms
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_WORKERS ?= 2

.PHONY: run install install-dev assets migrate seed messages test test-services lint deploy-check ci bench clean

run: install assets migrate seed ## Install, build, migrate, seed, then start web + worker + beat
	@echo "Starting DMS on http://127.0.0.1:8000 (Ctrl-C stops web, worker and beat)"
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

static/vendor/.built: node_modules/.package-lock.json scripts/build-assets.mjs
	npm run --silent build
	touch $@

assets: static/vendor/.built

migrate: install
	$(MANAGE) migrate --noinput

seed: install
	$(MANAGE) seed_demo

messages: install-dev ## Refresh both catalogues from the code, then compile them
	$(MANAGE) makemessages --locale zh_Hans --locale en --ignore ".venv/*" --ignore "node_modules/*" --ignore "staticfiles/*" --ignore "tests/*" --ignore "bench/*" --no-obsolete
	# The English catalogue is the source text itself: empty every msgstr, then copy each msgid over.
	msgfilter --keep-header --no-wrap -i locale/en/LC_MESSAGES/django.po sed -e d \
		| msgen --no-wrap - | msgattrib --no-wrap --clear-fuzzy --clear-previous -o locale/en/LC_MESSAGES/django.po -
	$(MANAGE) compilemessages --ignore ".venv/*"

test-services: install-dev
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python scripts/check_services.py

TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL)

# One run over PYTEST_WORKERS processes. Each API operation's schemathesis case is a test of its own,
# so the fuzzing is spread like everything else; tests in an xdist_group (the browser tests, the
# seeded demo) stay together in one worker.
test: install-dev assets test-services ## The whole suite on PostgreSQL + Redis
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_import_cycles.py
	$(MANAGE) makemigrations --check --dry-run

deploy-check: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=deploy-check-$$(date +%s)-a-long-random-enough-secret-value-for-django \
		DJANGO_ALLOWED_HOSTS=dms.example.com $(MANAGE) check --deploy --fail-level WARNING

ci: lint deploy-check test

# Every benchmark runs even when an earlier one misses a target; the target fails if any of them did.
bench: install-dev assets test-services ## Requests (production settings), order submission, lead routing and delivery planning
	@status=0; \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m bench $(BENCH_ARGS) || status=1; \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m bench.orders || status=1; \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m bench.leads || status=1; \
	$(BIN)/python -m bench.routing || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
