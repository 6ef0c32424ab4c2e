"""Every set-up layer (runtime, test, notebooks) pins the same packages at the same versions in
pyproject.toml, in its conda file (environment*.yml) and in its pip lock (requirements/), and
the locks agree with each other."""

import itertools
import re
import tomllib

import pytest
import yaml
from conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LAYERS = ["runtime", *PROJECT["optional-dependencies"]]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(specs: list[str], sep: str) -> dict[str, str]:
    pins = {}
    for spec in specs:
        name, version = spec.split(sep)
        pins[canonical(name)] = version
    return pins


def pyproject_pins(layer: str) -> dict[str, str]:
    if layer == "runtime":
        return pinned(PROJECT["dependencies"], "==")
    return pinned(PROJECT["optional-dependencies"][layer], "==")


def conda_pins(layer: str) -> tuple[dict[str, str], set[str]]:
    """The pins of a layer's conda file, and what it leaves unpinned."""
    name = "environment.yml" if layer == "runtime" else f"environment-{layer}.yml"
    env = yaml.safe_load((ROOT / name).read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += [d for d in dep["pip"] if not d.startswith("--editable")]
        else:
            conda.append(dep)
    unpinned = {d for d in conda if "=" not in d}
    pins = pinned([d for d in conda if "=" in d], "=") | pinned(pip, "==")
    return pins, unpinned


def lock_pins(layer: str) -> dict[str, str]:
    lock = {}
    for line in (ROOT / "requirements" / f"{layer}.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            lock[canonical(name)] = version
    return lock


@pytest.mark.parametrize("layer", LAYERS)
def test_conda_file_pins_what_pyproject_pins(layer):
    conda, unpinned = conda_pins(layer)
    if layer == "runtime":
        assert conda.pop("python") == "3.11"
        # Quarto is not on PyPI; pip installs the PyPI-only packages.
        assert unpinned == {"quarto", "pip"}
    else:
        assert unpinned <= {"pip"}
    assert conda == pyproject_pins(layer)


@pytest.mark.parametrize("layer", LAYERS)
def test_lock_pins_what_pyproject_pins(layer):
    lock = lock_pins(layer)
    for name, version in (pyproject_pins("runtime") | pyproject_pins(layer)).items():
        assert lock.get(name) == version, name


def test_every_layer_holds_the_runtime_lock():
    runtime = lock_pins("runtime")
    for layer in LAYERS[1:]:
        lock = lock_pins(layer)
        assert {name: lock.get(name) for name in runtime} == runtime, layer


def test_locks_agree_where_they_overlap():
    # One .venv takes every layer a user asks for: no layer may move another's pin.
    for a, b in itertools.combinations(LAYERS, 2):
        lock_a, lock_b = lock_pins(a), lock_pins(b)
        differ = {n: (lock_a[n], lock_b[n]) for n in lock_a.keys() & lock_b.keys()}
        assert {n: v for n, v in differ.items() if v[0] != v[1]} == {}, (a, b)


def test_the_runtime_layer_has_no_test_or_notebook_tools():
    runtime = lock_pins("runtime")
    assert {"pytest", "ruff", "hypothesis", "jupyterlab", "ipykernel"}.isdisjoint(runtime)
