#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11 and pip.

    python3 run.py report   # set up .venv if needed, then run the whole pipeline (snakemake)
    python3 run.py test     # set up .venv if needed, then the style gates and the tests
    python3 run.py setup    # only set up .venv

Set-up creates the virtual environment .venv, installs the pinned dependencies from
requirements.lock and the project itself (editable). It reinstalls only when
requirements.lock or pyproject.toml change. Extra arguments go to snakemake or
pytest: `python3 run.py report --forceall`, `python3 run.py test -k intervals`.
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
STAMP = VENV / ".installed"


def sh(*args: str | Path) -> None:
    """Run a command from the repository root; stop with its exit code if it fails."""
    print("+", " ".join(map(str, args)), flush=True)
    code = subprocess.call([str(a) for a in args], cwd=ROOT)
    if code:
        sys.exit(code)


def setup() -> None:
    """Create .venv and install the pinned dependencies, unless already up to date."""
    if sys.version_info[:2] != (3, 11):
        print(f"warning: the lock is for Python 3.11; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256(
        (ROOT / "requirements.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()
    ).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    pip = [BIN / "python", "-m", "pip", "--disable-pip-version-check"]
    sh(*pip, "install", "--quiet", "-r", "requirements.lock")
    sh(*pip, "install", "--quiet", "--no-deps", "-e", ".")
    STAMP.write_text(wanted)


def report(args: list[str]) -> None:
    """The whole analysis, from raw tables to results/report/."""
    sh(BIN / "snakemake", *args)


def test(args: list[str]) -> None:
    """Style gates, the workflow lint, then the test suite."""
    sh(BIN / "ruff", "check", ".")
    sh(BIN / "ruff", "format", "--check", ".")
    sh(BIN / "snakefmt", "--check", "workflow")
    sh(BIN / "snakemake", "--lint")
    sh(BIN / "pytest", *args)


def main() -> None:
    command, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command not in ("setup", "report", "test"):
        sys.exit(__doc__)
    os.environ["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"  # snakemake finds .venv's python
    setup()
    if command == "report":
        report(args)
    elif command == "test":
        test(args)


if __name__ == "__main__":
    main()
