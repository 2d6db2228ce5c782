# One entry point for people and CI. `make demo` sets everything up and runs the demo;
# `make check` runs every check a reviewer would.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

# The SAM CLI lives in its own virtual environment: its pins must not constrain the project's.
# Validating and building need no AWS account; telemetry is off so that nothing leaves the machine.
SAM_VENV        ?= .venv-sam
SAM_CLI_VERSION ?= 1.170.0
SAM             := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
LAYER_BUILD     := .aws-sam/build/CoreLayer/python

.PHONY: setup demo check lint format types test bench bench-smoke sam-setup validate build clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	$(BIN)/ecr-guard demo

check: setup lint types test validate build

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

types:
	$(BIN)/mypy

test:
	$(BIN)/pytest -q

# The performance budgets, measured against the obvious alternatives: writes docs/performance.md
# and bench/out/results.json (a few minutes). The smoke run, which the tests also make, checks
# that every measurement still runs, at tiny sizes (its timings mean nothing).
bench: setup
	$(BIN)/python -m bench.run

bench-smoke: setup
	$(BIN)/python -m bench.run --smoke

sam-setup: $(SAM_VENV)/.installed-$(SAM_CLI_VERSION)

$(SAM_VENV)/.installed-$(SAM_CLI_VERSION):
	rm -rf $(SAM_VENV)
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -qq --upgrade pip
	$(SAM_VENV)/bin/python -m pip install -qq 'aws-sam-cli==$(SAM_CLI_VERSION)'
	touch $@

validate: sam-setup
	$(SAM) validate --lint --template template.yaml

# sam build resolves the layer's wheels (pydantic-core for arm64) with the Lambda runtime's
# interpreter, which must be on PATH as python3.13: taken from PATH, else from pyenv.
build: sam-setup
	@if python3.13 -c '' >/dev/null 2>&1; then \
	    echo "sam build with $$(command -v python3.13)"; \
	    $(SAM) build --template template.yaml; \
	else \
	    version=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.13\.[0-9]+$$' | sort -V | tail -n 1); \
	    if [ -z "$$version" ]; then \
	        echo "make build: sam build needs Python 3.13 (the Lambda runtime) as python3.13" \
	             "on PATH; install it, or install pyenv and run 'pyenv install 3.13'." >&2; \
	        exit 1; \
	    fi; \
	    echo "sam build with Python $$version from pyenv"; \
	    PYENV_VERSION="$$version:$$(pyenv version-name)" $(SAM) build --template template.yaml; \
	fi
	@# sam build only warns when the layer's requirements are missing: check what was built.
	@test -d $(LAYER_BUILD)/ecr_guard || { echo "make build: no ecr_guard in the layer" >&2; exit 1; }
	@ls $(LAYER_BUILD)/pydantic_core/*.cpython-313-aarch64-linux-gnu.so >/dev/null 2>&1 || { \
	    echo "make build: no pydantic-core for python3.13 on arm64 in the layer" \
	         "(see layers/core/requirements.txt)" >&2; \
	    exit 1; \
	}

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .mypy_cache .pytest_cache .ruff_cache bench/out
