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

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[lab,test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	$(BIN)/python -m ipykernel install --sys-prefix --name nrd --display-name "Python (nrd)" >/dev/null
	$(MAKE) --no-print-directory lab-settings git-filters
	touch $(STAMP)

install: $(STAMP) ## create .venv and install nrd with its lab and test extras, the nrd kernel, the git filter

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
# JupyterLab defaults for this environment: no "Jupyter news" prompt or update check, and an outline
# (table of contents) from the notebooks' Markdown headings only: a report's HTML heading outputs repeat them.
lab-settings:
	mkdir -p $(dir $(LAB_SETTINGS))
	printf '%s\n' '{' \
	  '  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false},' \
	  '  "@jupyterlab/toc-extension:registry": {"includeOutput": false}' \
	  '}' > $(LAB_SETTINGS)

# Outputs never reach a commit: notebooks pass through nbstripout when staged (.gitattributes names the
# filter; --keep-id keeps the cell ids). The filter takes the checkout's .venv/bin/nbstripout, else the one on
# PATH (the conda route), and is required: without nbstripout, a notebook that holds outputs or execution
# counts is refused with a message (git add fails) instead of being staged as is, while a clean one passes.
# The filter is inline, not a committed script, so every worktree sharing this config can run it. Before
# `make install` a clone has no filter configured and git passes notebooks through (smudge is cat anyway).
NBSTRIPOUT := nb=.venv/bin/nbstripout; [ -x "$$nb" ] || nb=$$(command -v nbstripout) || nb=; \
  if [ -n "$$nb" ]; then exec "$$nb" --keep-id; fi; \
  t=$$(mktemp) && cat >"$$t" || exit 1; \
  if grep -Eq "\"outputs\": *\[ *([^] ]|$$)|\"execution_count\": *[0-9]" "$$t"; then rm -f "$$t"; \
  echo "nbstripout not found (.venv/bin or PATH): refusing to stage a notebook with outputs; run make install, or activate the environment holding nbstripout" >&2; exit 1; fi; \
  cat "$$t"; rm -f "$$t"
git-filters: ## configure the nbstripout git filter (notebooks are staged without outputs)
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git config filter.nbstripout.clean '$(NBSTRIPOUT)' && \
	  git config filter.nbstripout.smudge cat && \
	  git config filter.nbstripout.required true; \
	else echo "not a git checkout: no nbstripout filter installed"; fi

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

golden: $(STAMP) ## re-baseline the golden pages (tests/data/golden) after a meant change to a published page
	$(BIN)/python -m tests.golden --update

bench: $(STAMP) ## benchmarks: indicator build (demo, national) and report throughput (prints figures)
	$(BIN)/python benchmarks/bench_indicators.py
	$(BIN)/python benchmarks/run_bench.py

bench-national: $(STAMP) ## national scale: 3,321 units, commune scorecards through the Dask executor
	$(BIN)/python benchmarks/national_bench.py $(VENV)/national-demo

lab: $(STAMP) ## open JupyterLab on the notebooks (kernel "Python (nrd)", no news prompt)
	NRD_PROJECT_DIR=$(CURDIR) $(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks $(LAB_ARGS) \
	  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  --MultiKernelManager.default_kernel_name=nrd

clean: ## remove generated outputs (keeps the placeholder)
	find $(OUT) -mindepth 1 ! -name .gitkeep ! -name README.md -exec rm -rf {} +

PHONY_EXTRA := lab-settings git-filters
.PHONY: $(PHONY_EXTRA) help install browser demo-data validate report test golden bench bench-national lab clean
