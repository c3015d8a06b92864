# Two commands for a reader: `make lab` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
         --nbval-cell-timeout=300 --nbval-kernel-startup-timeout=60 -p no:randomly

.PHONY: lab test test-unit test-notebooks test-notebooks-other-cpu test-oldest test-oldest-unit test-oldest-notebooks notebooks bench bench-quick bench-class bench-drag present book book-quick clean

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
# One BLAS thread for the kernels: the series' matrices are small, and when
# anything else uses the cores, OpenBLAS's threads wait for each other
# (notebook 08: 7 s either way on an idle 2-core machine, 35 s with 2 threads
# and one core busy elsewhere, 7 s with 1).
lab: $(VENV)/.reader
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(VENV)/bin/jupyter lab notebooks/ $(LAB_FLAGS)

## test: unit, widget and browser tests, then every notebook under nbval
test: test-unit test-notebooks

test-unit: $(VENV)/.dev
	$(PY) -m pytest tests -p no:randomly

test-notebooks: $(VENV)/.dev
	$(PY) -m pytest notebooks/ $(NBVAL)
	$(MAKE) test-notebooks-other-cpu

# The notebooks again on another numeric path, as on a reader's other CPU:
# numpy's loops without AVX2/AVX-512 (old and new feature names; unknown ones
# are ignored) and OpenBLAS's Sandybridge kernels (no FMA). A printed digit
# that is round-off (a near-tie argmin, a tiny error) fails here. x86-64 only.
OTHER_CPU := NPY_DISABLE_CPU_FEATURES="AVX2 FMA3 AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL \
             AVX512_ICL AVX512_SPR X86_V3 X86_V4" OPENBLAS_CORETYPE=Sandybridge
test-notebooks-other-cpu: $(VENV)/.dev
ifeq ($(shell uname -m),x86_64)
	env $(OTHER_CPU) $(PY) -m pytest notebooks/ $(NBVAL)
else
	@echo "test-notebooks-other-cpu: only on x86-64; skipped"
endif

## test-oldest: the unit tests and every notebook on the oldest versions we promise
# A second venv, on the oldest Python pyproject.toml names (requires-python)
# and with exactly the lower bound of each package in requirements.txt
# (`numpy>=1.24` becomes `numpy==1.24`, which pip reads as 1.24.0): both are
# read from those files, so the promise and the test cannot drift. The rest
# of requirements-dev.txt is whatever pip resolves under those pins. The
# browser tests stay on current versions (`make test`).
# With pyenv, PYENV_VERSION=3.10 lets its `python3.10` shim find 3.10.x;
# without pyenv it changes nothing. Override: make test-oldest OLDEST_PYTHON=...
OLDEST_VENV   ?= .venv-oldest
OLDEST_PY_VER := $(shell sed -n 's/^requires-python *= *">= *\([0-9.]*\)".*/\1/p' pyproject.toml)
OLDEST_PYTHON ?= python$(OLDEST_PY_VER)
OLDEST_PY     := $(OLDEST_VENV)/bin/python

$(OLDEST_VENV)/.dev: requirements.txt requirements-dev.txt pyproject.toml
	rm -rf $(OLDEST_VENV)
	PYENV_VERSION=$(OLDEST_PY_VER) $(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_PY) -c 'import sys; v = "$(OLDEST_PY_VER)"; \
	  assert sys.version_info[:2] == tuple(map(int, v.split("."))), f"{sys.version} is not Python {v}"'
	sed -n 's/^\([A-Za-z0-9_.-]*\) *>= *\([0-9][0-9.]*\).*/\1==\2/p' requirements.txt \
	  > $(OLDEST_VENV)/lowest.txt
	cat $(OLDEST_VENV)/lowest.txt
	$(OLDEST_PY) -m pip install --upgrade pip
	$(OLDEST_PY) -m pip install -r requirements-dev.txt -c $(OLDEST_VENV)/lowest.txt
	$(OLDEST_PY) -m pip check
	touch $@

# The unit tests and the notebooks run side by side (two cores; one BLAS
# thread each), each printing its output when it ends. The exercise tests
# (a quarter of the unit tests' time) run with the notebooks, so that both
# halves take about as long.
test-oldest: $(OLDEST_VENV)/.dev
	$(MAKE) -j2 --output-sync=target test-oldest-unit test-oldest-notebooks

ONE_THREAD   := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
OLDEST_MOVED := tests/test_exercises.py
test-oldest-unit: $(OLDEST_VENV)/.dev
	env -u NNLIB_REQUIRE_BROWSER $(ONE_THREAD) $(OLDEST_PY) -m pytest tests --ignore=tests/browser \
	  $(addprefix --ignore=,$(OLDEST_MOVED)) -p no:randomly -p no:cacheprovider

test-oldest-notebooks: $(OLDEST_VENV)/.dev
	env $(ONE_THREAD) $(OLDEST_PY) -m pytest notebooks/ $(OLDEST_MOVED) $(NBVAL) -p no:cacheprovider

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

## bench-class: a class of STUDENTS on notebook NB (default 03) through make present's setup, BROWSERS of them
## in Chromium, moving sliders by notches and by jumps (PATTERN=both; bench/bench_class.py)
STUDENTS ?= 30
BROWSERS ?= 3
PATTERN ?= both
bench-class: $(VENV)/.bench
	$(READER_ENV) $(PY) bench/bench_class.py --students $(STUDENTS) --browsers $(BROWSERS) \
	  --notebook $(or $(NB),03) --pattern $(PATTERN)

## bench-drag: every slider of every notebook, moved notch by notch in Voila + Chromium (bench/bench_drag.py)
bench-drag: $(VENV)/.bench
	$(READER_ENV) $(PY) bench/bench_drag.py

## bench-quick: the short version of `make bench` that CI runs (prints the tables, asserts no time)
bench-quick: $(VENV)/.bench
	$(PY) bench/bench_core.py
	$(PY) bench/bench_training.py --quick
	$(PY) bench/bench_sliders.py --quick
	$(PY) bench/bench_series.py --quick

## present: serve one notebook as a slider app for a class, code hidden (make present NB=03 PRESENT_STUDENTS=30)
NB   ?=
PRESENT_HOST ?= 127.0.0.1
PRESENT_PORT ?= 8866
PRESENT_STUDENTS ?= 1
PRESENT_CULL ?= 180
present: $(VENV)/.dev
	@if [ -z "$(NB)" ]; then echo "usage: make present NB=03 [PRESENT_STUDENTS=30]"; exit 2; fi
	$(PY) tools/present.py $(NB) --students $(PRESENT_STUDENTS) --host $(PRESENT_HOST) \
	  --port $(PRESENT_PORT) --cull $(PRESENT_CULL)

## book: the static website in build/book/ (every notebook executed, every slider stop precomputed)
book: $(VENV)/.dev
	$(PY) -m book.build

## book-quick: notebooks 03 and 04 only, at most 3 stops per control (what CI builds)
book-quick: $(VENV)/.dev
	$(PY) -m book.build --quick --only 03 04

clean:
	rm -rf $(VENV) $(OLDEST_VENV) .pytest_cache .hypothesis
