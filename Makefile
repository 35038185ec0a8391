# Two commands: `make run` and `make test`. Everything else is installed by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install migrate demo-data schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

migrate: install
	@mkdir -p var
	$(BIN)/smallworks migrate

demo-data: migrate
	$(BIN)/smallworks demo-data

run: demo-data
	PORT=$(PORT) $(BIN)/smallworks serve --port $(PORT)

test: install
	$(BIN)/python tests/run_backends.py

schema: install
	$(BIN)/smallworks export-schema

bench: install
	$(BIN)/python bench/graphql_throughput.py

clean:
	rm -rf $(VENV) var .pytest_cache
