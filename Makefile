# Two commands for a reader: `make lab` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         --nbval-cell-timeout=300 --nbval-kernel-startup-timeout=60 -p no:randomly

.PHONY: lab test test-unit test-notebooks notebooks bench bench-quick present clean

$(VENV)/.reader: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.reader requirements-dev.txt
	$(PIP) install -r requirements-dev.txt
	touch $@

## lab: set up .venv and open the series in JupyterLab
# (JupyterLab refuses to run as root without --allow-root: containers, CI.)
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)
lab: $(VENV)/.reader
	$(VENV)/bin/jupyter lab notebooks/ $(LAB_FLAGS)

## test: unit, widget and browser tests, then every notebook under nbval
test: test-unit test-notebooks

test-unit: $(VENV)/.dev
	$(PY) -m pytest tests -p no:randomly

test-notebooks: $(VENV)/.dev
	$(PY) -m pytest notebooks/ $(NBVAL)

## notebooks: re-execute every notebook in place and strip volatile metadata
notebooks: $(VENV)/.dev
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb
	$(VENV)/bin/nbstripout --keep-output --keep-count notebooks/*.ipynb

$(VENV)/.bench: $(VENV)/.dev bench/requirements.txt
	$(PIP) install -r bench/requirements.txt
	touch $@

## bench: nnlib vs numpy floor, scikit-learn, PyTorch; slider latency; series run time (see bench/README.md)
# The development and CI machines set OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
# (for old OpenBLAS builds); readers' machines do not, and both slow a current
# numpy. `make bench` measures as readers run: it unsets them for its own
# commands only. bench-quick (CI) keeps the environment and prints it.
READER_ENV := env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
bench: $(VENV)/.bench
	$(READER_ENV) $(PY) bench/bench_core.py
	$(READER_ENV) $(PY) bench/bench_training.py
	$(READER_ENV) $(PY) bench/bench_sliders.py
	$(READER_ENV) $(PY) bench/bench_series.py

## bench-quick: the short version of `make bench` that CI runs (prints the tables, asserts no time)
bench-quick: $(VENV)/.bench
	$(PY) bench/bench_core.py
	$(PY) bench/bench_training.py --quick
	$(PY) bench/bench_sliders.py --quick
	$(PY) bench/bench_series.py --quick

## present: serve one notebook as a slider app for a class, code hidden (make present NB=03)
NB   ?=
PRESENT_HOST ?= 127.0.0.1
PRESENT_PORT ?= 8866
VOILA_DENY := jupyterlab-jupytext @jupyter-notebook/lab-extension @voila-dashboards/jupyterlab-preview
present: $(VENV)/.dev
	@nb=$$(ls notebooks/$(NB)_*.ipynb 2>/dev/null | head -n 1); \
	if [ -z "$(NB)" ] || [ -z "$$nb" ]; then \
	  echo "usage: make present NB=03   (notebooks: $$(ls notebooks | sed -n 's/^\([0-9][0-9]\)_.*/\1/p' | tr '\n' ' '))"; exit 2; \
	fi; \
	echo "Presenting $$nb: open http://$(PRESENT_HOST):$(PRESENT_PORT)/ (Ctrl+C to stop)"; \
	$(PY) -m voila "$$nb" --no-browser --port=$(PRESENT_PORT) --Voila.ip=$(PRESENT_HOST) \
	  $(foreach ext,$(VOILA_DENY),--VoilaConfiguration.extension_denylist=$(ext))

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
