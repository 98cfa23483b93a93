# Two commands a newcomer needs:
#   make lab    installs everything into .venv and opens JupyterLab on the tutorials
#   make test   installs everything into .venv and runs the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test install npm lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[jupyter,test]'
	touch $(STAMP)

install: $(STAMP)

# root too (--allow-root is added for uid 0); prints the URL to open (tools/lab.sh)
lab: install
	bash tools/lab.sh $(BIN)

npm:
	bash tools/npm-setup.sh

lint: install
	$(BIN)/ruff check ao_kernel tests benchmarks
	$(BIN)/mypy

test: install npm lint
	bash tools/install-browser.sh
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
