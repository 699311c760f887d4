# rnnlab — every target that needs the virtual environment creates it first.
# The CPU build of torch is pinned for this install; on a GPU machine run
#   make install TORCH_SPEC='torch'   (or the CUDA wheel you want) before anything else.
PYTHON     ?= python3
VENV       ?= .venv
BIN        := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
STAMP      := $(VENV)/.installed
ARGS       ?=
RUNS_ROOT  ?= $(or $(RNNLAB_ROOT),.)
TB_ARGS    ?=

.PHONY: install train test test-all bench tensorboard lint format clean figures

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check '$(TORCH_SPEC)'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,sweep,data]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install rnnlab with its dev tools, sweep plugins and data packages

train: $(STAMP)  ## train the default experiment (extra overrides: make train ARGS='model=lstm')
	$(BIN)/rnnlab-train $(ARGS)

test: $(STAMP)  ## fast tests, one worker per core (pytest-xdist)
	$(BIN)/pytest -q -n auto

test-all: $(STAMP)  ## fast and slow tests
	$(BIN)/pytest -q -n auto -m ''

bench: $(STAMP)  ## step time vs raw PyTorch, make train vs the plain-PyTorch baseline, diagnostics cost, 12-job sweeps, data loading, searches with and without pruning
	$(BIN)/python benchmarks/step_overhead.py
	$(BIN)/python benchmarks/end_to_end.py
	$(BIN)/python benchmarks/diagnostics_cost.py
	$(BIN)/python benchmarks/sweep.py
	$(BIN)/python benchmarks/stacked.py
	$(BIN)/python benchmarks/data_load.py
	$(BIN)/python benchmarks/search.py

tensorboard: $(STAMP)  ## TensorBoard over every run under RNNLAB_ROOT, short run names; one sweep or experiment: make tensorboard DIR=multirun/<name>/<time>
ifdef DIR
	@test -d '$(DIR)' || { echo "make tensorboard: DIR=$(DIR) is not a folder" >&2; exit 2; }
	$(BIN)/tensorboard --logdir '$(DIR)' $(TB_ARGS)
else
	$(BIN)/tensorboard --logdir_spec "$$($(BIN)/python -m rnnlab.report.tensorboard_view '$(RUNS_ROOT)')" $(TB_ARGS)
endif

lint: $(STAMP)  ## ruff, and the layers of src/rnnlab (import-linter contracts in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:  ## remove what runs wrote (experiments/, multirun/) and caches; keeps .venv
	find experiments multirun -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache benchmarks/results

figures: $(STAMP)  ## rerun the presets that draw docs/figures/ (vanishing_gradients, clipping, memory_vs_length)
	$(BIN)/python docs/make_figures.py
