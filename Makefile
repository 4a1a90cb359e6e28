# Two commands do all set-up on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench lock clean help

help:
	@echo "make demo   - set up .venv and run crosswalk on the bundled demo dataset (offline)"
	@echo "make test   - set up .venv and run the test suite"
	@echo "make bench  - run the apply benchmark (1,000,000 rows)"
	@echo "make lock   - re-pin requirements.lock from pyproject.toml (needs network to PyPI)"

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	bash evals/demo/run_demo.sh

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m evals.bench_apply --rows 1000000

lock:
	$(PYTHON) -m venv /tmp/crosswalk-lock-venv && /tmp/crosswalk-lock-venv/bin/pip install --quiet uv==0.13.8
	/tmp/crosswalk-lock-venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .crosswalk .pytest_cache
