# Two commands do all set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

CHROMIUM ?= /usr/bin/chromium
# Root installs directly; anyone else needs sudo. The browser tests need Debian's Chromium.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench lock clean help browser postgres

help:
	@echo "make demo   - set up .venv and run crosswalk on the bundled demo dataset (offline)"
	@echo "make test   - set up .venv (and Debian's chromium and postgresql for the browser and PostgreSQL tests) and run the test suite"
	@echo "make bench  - run the apply benchmark (1,000,000 rows)"
	@echo "make lock   - re-pin requirements.lock from pyproject.toml (needs network to PyPI)"

$(STAMP): requirements-pip.lock requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-pip.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	bash evals/demo/run_demo.sh

# Debian's Chromium for the Playwright browser tests (Playwright never downloads a browser here).
browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null || true; }
	@test -x $(CHROMIUM) || { echo "make: Debian's chromium is needed for the browser tests" >&2; exit 1; }

# The package's own post-install step may fail to start its service in a container without
# an init system; whether the binaries are there is what the line after the install checks.
# Debian's PostgreSQL server binaries (initdb, pg_ctl; in /usr/lib/postgresql/<version>/bin,
# not on PATH). The tests start a throwaway server of their own (tests/postgres_server.py).
HAVE_INITDB = command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
postgres:
	@$(HAVE_INITDB) || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null || true; }
	@$(HAVE_INITDB) || { echo "make: Debian's postgresql is needed for the PostgreSQL tests" >&2; exit 1; }

test: $(STAMP) browser postgres
	CROSSWALK_REQUIRE_BROWSER=1 CROSSWALK_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m evals.bench_apply --rows 1000000

lock:
	$(PYTHON) -m venv /tmp/crosswalk-lock-venv && /tmp/crosswalk-lock-venv/bin/pip install --quiet uv==0.13.8
	/tmp/crosswalk-lock-venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .crosswalk .pytest_cache
