# The two README commands. Both set up .venv on first use, so a fresh clone needs nothing by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# axe-core for the HTML accessibility test, from npm into the project's own (git-ignored) node_modules/.
AXE_VERSION := 4.14.1
AXE    := node_modules/axe-core/axe.min.js

.PHONY: build test bench clean golden schema

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "forslag needs Python 3.11 or newer"; exit 1; }
	@sh .ci/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Without npm the accessibility test says what is missing (and fails in CI); everything else still runs.
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix . --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION) || \
			echo "could not install axe-core: the HTML accessibility test will say so" >&2; \
	else echo "npm not found: the HTML accessibility test needs axe-core (Debian: apt-get install npm)" >&2; fi

build: $(STAMP)
	$(BIN)/forslag build proposals proposals/roedovre proposals/ishoej --out output

test: $(STAMP) $(AXE)
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
