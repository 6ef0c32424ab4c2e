#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11 and pip.

    python3 run.py report      # set up .venv (runtime), then run the whole pipeline (snakemake)
    python3 run.py test        # set up .venv (runtime + test tools), then style gates and tests
    python3 run.py notebooks   # set up .venv (runtime + JupyterLab), then start JupyterLab
    python3 run.py setup [LAYER ...]   # only set up: runtime (the default), test, notebooks

Set-up creates the virtual environment .venv and installs, for each layer a command needs,
the pinned packages of requirements/LAYER.lock and the project itself (editable). A layer is
installed again only when its lock or pyproject.toml changes. Extra arguments go to snakemake,
pytest or JupyterLab: `python3 run.py report --forceall`, `python3 run.py test -k intervals`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def sh(*args: str | Path) -> None:
    """Run a command from the repository root; stop with its exit code if it fails."""
    print("+", " ".join(map(str, args)), flush=True)
    code = subprocess.call([str(a) for a in args], cwd=ROOT)
    if code:
        sys.exit(code)


def setup(layer: str) -> None:
    """Install one layer's pinned packages into .venv, unless already up to date."""
    if sys.version_info[:2] != (3, 11):
        print(f"warning: the locks are for Python 3.11; this is {sys.version.split()[0]}")
    lock = ROOT / "requirements" / f"{layer}.lock"
    if not lock.exists():
        layers = sorted(p.stem for p in lock.parent.glob("*.lock"))
        sys.exit(f"no layer '{layer}': the layers are {', '.join(layers)}")
    stamp = VENV / f".installed-{layer}"
    wanted = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [BIN / "python", "-m", "pip", "--disable-pip-version-check"]
    sh(*pip, "install", "--quiet", "-r", lock.relative_to(ROOT))
    sh(*pip, "install", "--quiet", "--no-deps", "-e", ".")
    stamp.write_text(wanted)


def report(args: list[str]) -> None:
    """The whole analysis, from raw tables to results/<analysis>/report/."""
    sh(BIN / "snakemake", *args)


def test(args: list[str]) -> None:
    """Style gates, the workflow lint, then the test suite."""
    sh(BIN / "ruff", "check", ".")
    sh(BIN / "ruff", "format", "--check", ".")
    sh(BIN / "snakefmt", "--check", "workflow")
    sh(BIN / "snakemake", "--lint")
    sh(BIN / "pytest", *args)


def notebooks(args: list[str]) -> None:
    """JupyterLab, to explore the outputs with the notebooks in notebooks/."""
    sh(BIN / "jupyter", "lab", *args)


# Each command: the layer it needs, then what it runs.
COMMANDS = {
    "report": ("runtime", report),
    "test": ("test", test),
    "notebooks": ("notebooks", notebooks),
}


def main() -> None:
    command, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "setup":
        for layer in args or ["runtime"]:
            setup(layer)
        return
    if command not in COMMANDS:
        sys.exit(__doc__)
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"  # snakemake finds .venv's python
    # Compiled modules kept in __pycache__ (git ignores it), Python's default: each pipeline job
    # and each test run is a new Python, which where PYTHONDONTWRITEBYTECODE is set would compile
    # the project's modules again every time.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    layer, run = COMMANDS[command]
    setup(layer)
    run(args)


if __name__ == "__main__":
    main()
