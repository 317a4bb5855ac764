# The two README commands. Both set up .venv on first use, so a fresh clone needs nothing by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: build test bench clean golden schema

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "forslag needs Python 3.11 or newer"; exit 1; }
	@sh .ci/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

build: $(STAMP)
	$(BIN)/forslag build proposals proposals/roedovre proposals/ishoej --out output

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/pytest

golden: $(STAMP)
	$(BIN)/pytest tests/test_golden.py --update-golden

schema: $(STAMP)
	$(BIN)/forslag schema > proposals/schema/proposal.schema.json
	$(BIN)/forslag schema --case > proposals/schema/case.schema.json

bench: $(STAMP)
	$(BIN)/python -m forslag.batch.bench $(BENCH_ARGS)

clean:
	rm -rf output/*.pdf output/*.html output/assets output/.forslag-cache
