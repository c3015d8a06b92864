"""The versions the project promises are written in four places: the lower
bounds of requirements.txt (what `make test-oldest` pins), pyproject.toml
(what `pip install .` checks), the README's Quick start and the Makefile's
sed that turns `>=` into `==`. They must say the same."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAMES = {"numpy": "numpy", "matplotlib": "matplotlib", "ipywidgets": "ipywidgets", "jupyterlab": "JupyterLab"}


def lower_bounds(lines):
    """{package: version} of every `package>=version` in the given lines (comments skipped)."""
    bounds = {}
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][0-9.]*)", line.split("#")[0])
        if match:
            bounds[match[1].lower()] = match[2]
    return bounds


def requirements():
    return lower_bounds((REPO / "requirements.txt").read_text().splitlines())


def test_requirements_bound_every_package_the_readme_names():
    assert set(requirements()) == set(NAMES)


def test_pyproject_promises_the_same_lower_bounds_and_python():
    text = (REPO / "pyproject.toml").read_text()
    project = text.split("[project]", 1)[1].split("\n[tool.", 1)[0]  # not [build-system]'s setuptools
    quoted = re.findall(r'"([^"]*>=[^"]*)"', project)  # "numpy>=1.24", "matplotlib>=3.7", ...
    pyproject = lower_bounds(quoted)
    assert pyproject, quoted
    for package, version in pyproject.items():
        assert requirements()[package] == version, (package, version)
    assert re.search(r'^requires-python = ">=3\.10"$', text, flags=re.M)


def test_readme_quick_start_names_the_same_range():
    readme = (REPO / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert "Python 3.10 or newer" in quick_start
    for package, version in requirements().items():
        assert f"{NAMES[package]} {version}+" in quick_start, package
        assert f"{NAMES[package]} {version}.0" in quick_start, package  # the exact version test-oldest pins


def test_makefile_pins_exactly_the_lower_bounds():
    """The Makefile's sed, run on requirements.txt, gives package==bound for each bound."""
    recipe = next(line for line in (REPO / "Makefile").read_text().splitlines()
                  if line.strip().startswith("sed -n") and "requirements.txt" in line)
    script = re.search(r"sed -n '([^']*)' requirements.txt", recipe)[1]
    pins = subprocess.run(["sed", "-n", script, str(REPO / "requirements.txt")], capture_output=True, text=True,
                          check=True).stdout.split()
    assert sorted(pins) == sorted(f"{package}=={version}" for package, version in requirements().items())
