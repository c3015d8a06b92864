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
lab: $(VENV)/.reader
	$(VENV)/bin/jupyter lab notebooks/

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

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
