"""The pip route (pyproject.toml, requirements.lock) and the conda route (environment.yml)
install the same packages at the same versions."""

import re
import tomllib

import yaml
from conftest import ROOT


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(specs: list[str], sep: str) -> dict[str, str]:
    pins = {}
    for spec in specs:
        name, version = spec.split(sep)
        pins[canonical(name)] = version
    return pins


def pip_route() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return pinned(project["dependencies"] + project["optional-dependencies"]["test"], "==")


def conda_route() -> tuple[dict[str, str], set[str]]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip += [d for d in dep["pip"] if not d.startswith("--editable")]
        else:
            conda.append(dep)
    unpinned = {d for d in conda if "=" not in d}
    pins = pinned([d for d in conda if "=" in d], "=") | pinned(pip, "==")
    return pins, unpinned


def test_same_packages_and_versions():
    conda, unpinned = conda_route()
    assert conda.pop("python") == "3.11"
    assert conda == pip_route()
    # Only the conda route's extras go unpinned: Quarto (not on PyPI) and pip itself.
    assert unpinned == {"quarto", "pip"}


def test_lock_agrees_with_pyproject():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            lock[canonical(name)] = version
    for name, version in pip_route().items():
        assert lock.get(name) == version, name
