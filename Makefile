# Everything a developer or CI needs, installed by these files into .venv (and .venv-sam for SAM CLI).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first interpreter that really runs (pyenv shims exist for versions that are not selected).
PYTHON ?= $(shell for p in python3.13 /root/.pyenv/versions/3.13.0/bin/python3 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION := 1.170.0
PORT ?= 3000
ENV ?= dev
export SAM_CLI_TELEMETRY := 0

.PHONY: help venv test lint format typecheck cfn-lint pytest openapi openapi-check run invoke \
	invoke-schedule seed bench fuzz events create-admin validate build deploy clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

venv: $(BIN)/.installed ## Create .venv with runtime and dev dependencies

test: lint typecheck cfn-lint openapi-check pytest ## Lint, type-check, cfn-lint, OpenAPI freshness, all tests

lint: venv ## ruff (lint + format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: venv ## mypy (strict)
	$(BIN)/mypy

cfn-lint: venv ## Lint template.yaml
	$(BIN)/cfn-lint template.yaml

pytest: venv ## Unit, integration and e2e tests
	$(BIN)/pytest -n 2

openapi: venv ## Regenerate openapi.json from every function's resolver
	$(BIN)/python -m devstack.openapi --write openapi.json

openapi-check: venv ## Fail when openapi.json is stale
	$(BIN)/python -m devstack.openapi --check openapi.json

run: venv ## Serve the whole API locally at http://127.0.0.1:$(PORT) (no Docker, no AWS)
	PORT=$(PORT) $(BIN)/python -m devstack.server

invoke: venv ## Run a function with an event file: make invoke FN=AuthFunction EVENT=events/auth/post_auth_login.json
	@$(BIN)/python -m devstack.invoke $(FN) $(EVENT)

invoke-schedule: venv ## Fire a schedule of the running stack: make invoke-schedule NAME=ExpireUnpaidOrders (no NAME: list)
	@$(BIN)/python -m devstack.invoke --schedule "$(NAME)"

seed: venv ## Load demo accounts into the running stack (found by make run's .local/stack.json, or PORT=...)
	@$(BIN)/python -m devstack.seed

bench: venv ## Cold-start import time per function (and more), printed as tables
	$(BIN)/python -m devstack.bench

FUZZ_SECONDS ?= 300
fuzz: venv ## schemathesis against a fresh local stack, anonymous and as a customer (FUZZ_SECONDS, FUZZ_URL=a running stack)
	$(BIN)/python -m devstack.fuzz --max-time $(FUZZ_SECONDS) $(if $(FUZZ_URL),--base-url $(FUZZ_URL))

events: venv ## Regenerate the sample events in events/
	$(BIN)/python -m devstack.sample_events

create-admin: venv ## Create/promote an admin in the table named by TABLE_NAME (ADMIN_EMAIL, ADMIN_PASSWORD)
	$(BIN)/python -m devstack.create_admin

$(SAM): 
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_CLI_VERSION)

validate: $(SAM) ## sam validate --lint
	$(SAM) validate --lint

build: $(SAM) ## sam build, then every .py of the artifacts compiled to unchecked-hash cpython-313 bytecode
	PATH="$(dir $(shell command -v $(PYTHON))):$$PATH" $(SAM) build
	$(PYTHON) -m devstack.bytecode .aws-sam/build

deploy: build ## sam deploy --config-env $(ENV)
	$(SAM) deploy --config-env $(ENV)

clean: ## Remove build output and caches
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .local
