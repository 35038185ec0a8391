# Two commands: `make run` and `make test`. Everything else is installed by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test install lock migrate demo-data schema bench clean

# uv installs exactly what uv.lock pins (the project itself editable, with the test extra).
# It is installed into .venv by pip with this machine's pip configuration ignored, and it
# works on .venv with the interpreter .venv was made from: it never downloads a Python.
# After changing dependencies in pyproject.toml: `make lock`, and commit uv.lock.
UV_VERSION := 0.13.9
UV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never UV_PYTHON=$(BIN)/python $(BIN)/uv

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)

$(VENV)/.uv-$(UV_VERSION): | $(BIN)/python
	@PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'
	@touch $@

$(VENV)/.installed: pyproject.toml uv.lock $(VENV)/.uv-$(UV_VERSION)
	@echo 'installing the locked dependencies into $(VENV)'
	@$(UV) sync --quiet --locked --extra test
	@touch $@

install: $(VENV)/.installed

lock: $(VENV)/.uv-$(UV_VERSION)
	$(UV) lock

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
	$(BIN)/python bench/read_path.py

clean:
	rm -rf $(VENV) var .pytest_cache
