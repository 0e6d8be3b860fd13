# Every target installs first when .venv is missing, so `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Prefect keeps its own state under PREFECT_HOME; keep it inside the checkout and quiet.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export NIGHTSHIFT_HOME ?= $(CURDIR)/memory_home

.PHONY: install test demo consolidate status serve stop watch eval bench bench-smoke clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# One worker per core (pytest-xdist): the suite took 10.8 min on one, 5.9 on two, on a 2-core machine.
test: $(STAMP)
	$(BIN)/pytest -q -n auto

# The bundled sample sessions into ./memory_home with the offline builtin provider. The samples'
# mtimes are whatever the checkout gave them, so the idle rule is switched off for the demo.
DEMO_HOME ?= memory_home
demo: $(STAMP)
	$(BIN)/nightshift consolidate --home $(DEMO_HOME) --source samples/codex --source samples/claude --source samples/gemini --source samples/cursor --idle-hours 0 --provider builtin
	git -C $(DEMO_HOME) log --stat --format='%n%h %s%n%b' | cat
	@echo '--- memory_summary.md: the block every new session loads ---'
	@cat $(DEMO_HOME)/memory_summary.md
	@echo '--- nightshift summary --cwd /home/dev/webshop: what a session in that sample project is given ---'
	@$(BIN)/nightshift summary --home $(DEMO_HOME) --cwd /home/dev/webshop

consolidate: $(STAMP)
	$(BIN)/nightshift consolidate

status: $(STAMP)
	$(BIN)/nightshift status

# The nightly deployment (prefect.yaml) on a local Prefect server, with a worker; both run in the
# background, their pids in $(PREFECT_HOME)/nightshift-serve.json. `make stop` ends exactly those.
serve: $(STAMP)
	$(BIN)/python -m flows.serve start

stop: $(STAMP)
	$(BIN)/python -m flows.serve stop

# Fresh mode in the foreground without a Prefect server; Ctrl-C stops it.
watch: $(STAMP)
	$(BIN)/nightshift watch

# The labelled evaluation (docs/eval.md): the builtin rules offline, or PROVIDER=openai against the
# configured endpoint (NIGHTSHIFT_BASE_URL, models...). Fails when a secret or an injected order reaches memory.
PROVIDER ?= builtin
eval: $(STAMP)
	$(BIN)/python -m eval.run --provider $(PROVIDER)

# Every benchmark against a baseline measured in the same run; writes docs/benchmarks.md (< 10 min).
bench: $(STAMP)
	$(BIN)/python -m bench.run

# The same at tiny sizes (< 1 min), for CI: checks the harness and prints the table, writes nothing.
bench-smoke: $(STAMP)
	$(BIN)/python -m bench.run --smoke

clean:
	rm -rf $(VENV) .prefect .pytest_cache
