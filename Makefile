# The front door. `make help` lists every target from its ## comment.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= data/demo
OUT ?= outputs
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[lab,test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP) ## create .venv and install nrd with its lab and test extras

browser: ## install Debian's chromium for the browser tests (needs root or sudo)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

demo-data: $(STAMP) ## (re)generate the bundled demo dataset in data/demo
	$(BIN)/nrd demo-data $(DATA)

validate: $(STAMP) ## validate the demo dataset (or DATA=folder)
	$(BIN)/nrd validate $(DATA)

report: $(STAMP) ## the main job: the monthly run on the demo data, latest period
	$(BIN)/nrd run params/monthly.yaml --data $(DATA) --out $(OUT)

test: $(STAMP) browser ## the whole test suite
	$(BIN)/python -m pytest

bench: $(STAMP) ## benchmarks: indicator build (demo, national) and report throughput (prints figures)
	$(BIN)/python benchmarks/bench_indicators.py
	$(BIN)/python benchmarks/run_bench.py

bench-national: $(STAMP) ## national scale: 3,321 units, commune scorecards through the Dask executor
	$(BIN)/python benchmarks/run_bench.py --national $(VENV)/national-demo --limit 40

lab: $(STAMP) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

clean: ## remove generated outputs (keeps the placeholder)
	find $(OUT) -mindepth 1 ! -name .gitkeep ! -name README.md -exec rm -rf {} +

.PHONY: help install browser demo-data validate report test bench bench-national lab clean
