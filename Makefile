# Everything a developer or CI runs, in one place. `make demo` and `make test` are the README's
# first two commands; both create the virtual environment ($(VENV)) and install the project first.
VENV ?= .venv
PY := $(VENV)/bin/python
# A developer checkout has an offline copy of the embedding model beside it; use it when present.
SHARED_MODEL := $(wildcard ../shared/models/all-MiniLM-L6-v2)
ifneq ($(SHARED_MODEL),)
ifndef WIKIGRAPH_EMBED_MODEL_PATH
export WIKIGRAPH_EMBED_MODEL_PATH := $(abspath $(SHARED_MODEL))
endif
endif

.PHONY: install install-test test demo run bench-ingest

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e .

install-test: $(PY)
	$(PY) -m pip install --quiet -e '.[test]'

test: install-test
	bash .ci/install-system-deps.sh --with-browser
	$(PY) -m pytest -q

demo: install
	$(VENV)/bin/wikigraph demo

run: install
	$(VENV)/bin/wikigraph run

bench-ingest: install
	$(PY) tests/benchmarks/bench_ingest.py
