# The two README commands. Both set up .venv on first use, so a fresh clone needs nothing by hand.
# The virtual environment holds exactly the versions in uv.lock (`uv sync --locked` also refuses a lock that no
# longer matches pyproject.toml): the lock, not the day's registry, decides what a developer and CI test with.
# uv itself is pinned too and installed beside the project.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV_VERSION := 0.13.9
UV     := .uv/bin/uv
export UV_PYTHON_DOWNLOADS := never
# Material for MkDocs prints a notice about its successor on every build; it is no warning about the site.
export NO_MKDOCS_2_WARNING := 1
export NO_MKDOCS_2_WARNING := 1
# axe-core for the HTML accessibility test, from npm into the project's own (git-ignored) node_modules/.
AXE_VERSION := 4.14.1
AXE    := node_modules/axe-core/axe.min.js

.PHONY: bytecode build test test-lowest test-latest bench clean golden schema docs pictures

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "forslag needs Python 3.11 or newer"; exit 1; }
	$(PYTHON) -m venv .uv
	.uv/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Bytecode is compiled at install time, not left to the first import: where Python may not write it
# (PYTHONDONTWRITEBYTECODE, a read-only tree) every command would otherwise compile each module it imports from
# source again (measured on the bench corpus: a no-op build 0,37 -> 0,22 s, `forslag build one.yaml` 1,73 -> 1,15 s).
# uv compiles site-packages; forslag itself is installed editable, its modules stay in src/, so `bytecode`
# compiles those, again before each command that runs them (compileall skips what is up to date: 0,04 s).
$(STAMP): pyproject.toml uv.lock $(UV) Makefile
	@sh .ci/system-deps
	$(UV) sync --locked --compile-bytecode --python $(PYTHON)
	@touch $(STAMP)

bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src/forslag

# Without npm the accessibility test says what is missing (and fails in CI); everything else still runs.
$(AXE):
	@if command -v npm >/dev/null 2>&1; then \
		npm install --prefix . --no-save --no-audit --no-fund --silent axe-core@$(AXE_VERSION) || \
			echo "could not install axe-core: the HTML accessibility test will say so" >&2; \
	else echo "npm not found: the HTML accessibility test needs axe-core (Debian: apt-get install npm)" >&2; fi

build: bytecode
	$(BIN)/forslag build proposals proposals/roedovre proposals/ishoej --out output

test: bytecode $(AXE)
	$(BIN)/ruff check src tests tools
	$(BIN)/ruff format --check src tests tools
	$(BIN)/mypy
	$(BIN)/pytest
	$(BIN)/mkdocs build --strict --quiet

# The documentation site (mkdocs.yml, docs/) into site/; its reference pages are generated from the code.
docs: bytecode
	$(BIN)/mkdocs build --strict

# The documentation's pictures (docs/images/*.png), rendered from the examples and the tutorial's case.
pictures: bytecode
	$(BIN)/python tools/pictures.py

golden: bytecode
	$(BIN)/pytest tests/test_golden.py --update-golden

schema: bytecode
	$(BIN)/forslag schema > proposals/schema/proposal.schema.json
	$(BIN)/forslag schema --case > proposals/schema/case.schema.json

# The oldest versions pyproject.toml admits (lowest-direct: each direct dependency at its floor) and the newest
# the registry serves today, each in a virtual environment of its own; the lock and .venv are not touched.
# Run both before raising or lowering a range, and test-latest before updating the lock (see docs/development).
test-lowest: $(UV) $(AXE)
	@sh .ci/system-deps
	$(UV) venv --quiet --allow-existing --python $(PYTHON) .venv-lowest
	$(UV) pip install --quiet --python .venv-lowest --resolution lowest-direct -e . --group dev
	.venv-lowest/bin/pytest -p no:cacheprovider

test-latest: $(UV) $(AXE)
	@sh .ci/system-deps
	$(UV) venv --quiet --allow-existing --python $(PYTHON) .venv-latest
	$(UV) pip install --quiet --python .venv-latest --upgrade -e . --group dev
	.venv-latest/bin/ruff check src tests tools
	.venv-latest/bin/mypy
	.venv-latest/bin/pytest -p no:cacheprovider

bench: bytecode
	$(BIN)/python tools/bench.py $(BENCH_ARGS)

clean:
	rm -rf output/*.pdf output/*.html output/assets output/.forslag-cache
