# Rasd — the two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install lint bench clean gazetteer pg browser model cv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

demo: install
	@mkdir -p out
	$(BIN)/rasd extract examples --meta examples/meta.jsonl --format table -o out/demo.json
	@echo
	@$(BIN)/rasd ingest examples --meta examples/meta.jsonl --db sqlite:///out/demo.db --no-progress >/dev/null
	@echo
	@echo "Done: the events above are in out/demo.json (v1 records, FORMAT.md), and in out/demo.db."
	@echo "Score against gold annotations with: $(BIN)/rasd eval out/demo.json ../shared/gold"
	@echo "Open the dashboard on the demo database: $(BIN)/rasd serve --db sqlite:///out/demo.db"
	@echo "  then browse http://127.0.0.1:8000/ (Ctrl-C stops the server)."

test: install pg browser
	$(BIN)/ruff check src tests tools bench
	$(BIN)/python -m pytest -n 2 -q

# PostgreSQL server binaries for the store tests (tests/store); CI runs this before `make test`.
pg:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		{ if [ "$$(id -u)" = 0 ]; then export DEBIAN_FRONTEND=noninteractive; \
		    apt-get update -q && apt-get install -y -q postgresql; \
		  else echo "note: PostgreSQL server binaries not found and not root: install 'postgresql' for the store tests"; fi; }

# Debian's Chromium for the dashboard's end-to-end test (tests/e2e), driven by Playwright; no browser download.
browser:
	@test -x /usr/bin/chromium || \
		{ if [ "$$(id -u)" = 0 ]; then export DEBIAN_FRONTEND=noninteractive; \
		    apt-get update -q && apt-get install -y -q chromium; \
		  else echo "note: /usr/bin/chromium not found and not root: install 'chromium' for the dashboard test"; fi; }

lint: install
	$(BIN)/ruff check src tests tools bench

bench: install
	$(BIN)/python bench/run.py

# The learned decisions: fit on the dev gold and write the shipped model (deterministic).
model: install
	$(BIN)/rasd train ../shared/gold --meta ../shared/corpus/dev/meta.jsonl -o src/rasd/resources/data/model/decisions.json.gz

# The honest figure: 5-fold cross-validation by article, with the learning curve.
cv: install
	$(BIN)/rasd eval --cv 5 ../shared/gold --meta ../shared/corpus/dev/meta.jsonl --predictions out/oof.jsonl

gazetteer: install
	$(BIN)/python tools/build_gazetteer.py

clean:
	rm -rf $(VENV) out build dist .pytest_cache .ruff_cache
