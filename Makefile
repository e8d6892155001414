# Rasd — the two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install lint bench clean gazetteer

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
	@echo "Done: the events above are in out/demo.json (v1 records, FORMAT.md)."
	@echo "Score against gold annotations with: $(BIN)/rasd eval out/demo.json ../shared/gold"

test: install
	$(BIN)/ruff check src tests tools bench
	$(BIN)/python -m pytest -n 2 -q

lint: install
	$(BIN)/ruff check src tests tools bench

bench: install
	$(BIN)/python bench/run.py

gazetteer: install
	$(BIN)/python tools/build_gazetteer.py

clean:
	rm -rf $(VENV) out build dist .pytest_cache .ruff_cache
