# make run   - SQLite site with the sample archive imported, on http://127.0.0.1:8000,
#              and its task worker (mail, digests)
# make test  - the suite on SQLite, then on PostgreSQL (+ Redis cache) when reachable
# make bench - benchmarks under tests/benchmarks/ (figures go in the README)
# make scale - nginx, two app servers, two workers, pgbouncer, Redis under load on this
#              machine's loopback; one app server killed and restarted (tests/scale/run.py)

VENV       := .venv
PY         := $(VENV)/bin/python
PYTEST     := $(VENV)/bin/pytest
PG_URL     ?= postgres://postgres@127.0.0.1:5432/forum
REDIS_URL  ?= redis://127.0.0.1:6379/1
SAMPLE     := archive_import/sample_archive

.PHONY: install run test test-sqlite test-postgres bench scale lint

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

# axe-core for the accessibility tests, pinned in package-lock.json. Without npm the site
# still installs; the axe tests then skip (fail with REQUIRE_BROWSER=1, as CI runs them).
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: axe-core not installed, the accessibility tests will skip."; fi

install: $(VENV)/.installed node_modules/.package-lock.json

run: install
	$(PY) manage.py migrate --noinput
	@if $(PY) manage.py help import_archive >/dev/null 2>&1; then \
		$(PY) manage.py import_archive $(SAMPLE); fi
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:8000

test: test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL -u CACHE_URL $(PYTEST)

# PostgreSQL is the pass that counts (SQLite hides locking bugs). Without a server it
# says so and passes on SQLite alone, unless REQUIRE_POSTGRES=1.
test-postgres: install
	@if $(PY) -c "import psycopg, sys; psycopg.connect(sys.argv[1].rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" "$(PG_URL)" 2>/dev/null; then \
		cache=""; \
		if $(PY) -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()" "$(REDIS_URL)" 2>/dev/null; then cache="$(REDIS_URL)"; \
		elif [ "$(REQUIRE_POSTGRES)" = 1 ]; then echo "Redis is required with REQUIRE_POSTGRES=1 but not reachable at $(REDIS_URL)"; exit 1; fi; \
		echo "== PostgreSQL pass: $(PG_URL) cache=$${cache:-local memory}"; \
		DATABASE_URL="$(PG_URL)" CACHE_URL="$$cache" CACHE_KEY_PREFIX="test-$$$$" $(PYTEST); \
	elif [ "$(REQUIRE_POSTGRES)" = 1 ]; then \
		echo "PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable at $(PG_URL)"; exit 1; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): tests ran on SQLite only."; \
	fi

bench: install
	$(PY) tests/benchmarks/run_all.py

# The scale run's database is PG_URL's name + "_scale", created and dropped by the run.
$(VENV)/.scale-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e ".[dev,scale]"
	touch $@

scale: $(VENV)/.scale-installed
	$(PY) tests/scale/run.py --database-url $(PG_URL)_scale

lint: install
	$(VENV)/bin/ruff check .
