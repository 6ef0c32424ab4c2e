"""Set-up time and disk: run.py's set-up against a bare pip install; prints a Markdown table.

    python3 benchmarks/setup.py      # about 8 minutes on 2 cores; needs the package index

Each in a fresh scratch folder (the working tree and its .venv are untouched):
(a) the set-up `python3 run.py report` does before snakemake starts: `python3 run.py setup` in
    a copy of the repository (a new .venv, the runtime lock, the project itself);
(b) a bare `pip install` of the runtime stack alone, pyproject.toml's `dependencies` by name
    and unpinned, into an empty virtual environment: the least any set-up can do;
(c) the test layer added to (a)'s .venv, as `python3 run.py test` adds it
    (`python3 run.py setup test`).
Target (issue 10): (a) takes at most 1.3 times as long as (b). Downloads come from the package
index every time (no local cache here), so timings vary by about ±15% between runs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from run_all import ROOT, copy

TARGET = 1.3


def timed(args: list[str | Path], cwd: Path) -> float:
    """Wall time of a command that must succeed."""
    start = time.perf_counter()
    subprocess.run([str(a) for a in args], cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def size_mb(folder: Path) -> float:
    """Space on disk, as `du` counts it, in MB (10^6 bytes)."""
    return sum(p.lstat().st_blocks * 512 for p in folder.rglob("*")) / 1e6


def packages(venv: Path) -> int:
    """Distributions installed in a virtual environment (pip and setuptools included)."""
    return len(list(venv.glob("lib/python*/site-packages/*.dist-info")))


def runtime_stack() -> list[str]:
    """pyproject.toml's run-time dependencies, names only."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [re.split(r"[=<>!~\[; ]", spec)[0] for spec in project["dependencies"]]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare"
        pip = [bare / "bin" / "python", "-m", "pip", "--disable-pip-version-check"]
        bare_time = timed([sys.executable, "-m", "venv", bare], Path(tmp))
        bare_time += timed([*pip, "install", "--quiet", *runtime_stack()], Path(tmp))
        bare_size, bare_packages = size_mb(bare), packages(bare)

        repo = copy(Path(tmp) / "repo")
        runpy = [sys.executable, "run.py", "setup"]
        setup_time = timed(runpy, repo)
        setup_size, setup_packages = size_mb(repo / ".venv"), packages(repo / ".venv")
        test_time = timed([*runpy, "test"], repo)
        test_size, test_packages = size_mb(repo / ".venv"), packages(repo / ".venv")

    rows = [
        ("(a) `python3 run.py setup` (what `report` does first)", setup_time, setup_size,
         setup_packages),
        ("(b) bare `pip install` of the runtime stack", bare_time, bare_size, bare_packages),
        ("(c) (a) + test layer (`python3 run.py setup test`)", test_time, test_size,
         test_packages),
    ]  # fmt: skip
    print("| set-up | wall time | disk | packages |")
    print("|---|---|---|---|")
    for name, seconds, mb, count in rows:
        print(f"| {name} | {seconds:.0f} s | {mb:,.0f} MB | {count} |")
    ratio = setup_time / bare_time
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"\nRatio (a)/(b): {ratio:.2f} ({verdict} the target of at most {TARGET}).")
    total = setup_time + test_time
    print(f"(c) adds to (a): runtime and test layers take {total:.0f} s and {test_size:,.0f} MB.")


if __name__ == "__main__":
    main()
