"""Set-up time and disk: run.py's set-up against a bare pip install; prints a Markdown table.

    python3 benchmarks/setup.py              # about 15 minutes on 2 cores; needs the index
    python3 benchmarks/setup.py --repeat 3   # more rounds, steadier minimums

Each in a fresh scratch folder (the working tree and its .venv are untouched):
(a) the set-up `python3 run.py report` does before snakemake starts: `python3 run.py setup` in
    a copy of the repository (a new .venv, the runtime lock, the project itself);
(b) a bare `pip install` of the runtime stack alone, pyproject.toml's `dependencies` by name
    and unpinned, into an empty virtual environment: the least any set-up can do;
(c) the test layer added to (a)'s .venv, as `python3 run.py test` adds it
    (`python3 run.py setup test`).
Target (issue 10): (a) takes at most 1.3 times as long as (b). Every install downloads from the
package index (pip keeps no cache here) and unpacks on 2 shared cores, so one install can
take twice as long as the next: (a) and (b) run in rounds, in alternating order, and the table
shows the fastest of each (interference only ever adds time) and every round's time.
"""

from __future__ import annotations

import argparse
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


def run_py_setup(folder: Path) -> tuple[float, Path]:
    """(a): wall time of `python3 run.py setup` in a fresh copy; its .venv."""
    repo = copy(folder)
    return timed([sys.executable, "run.py", "setup"], repo), repo / ".venv"


def bare_install(folder: Path) -> tuple[float, Path]:
    """(b): wall time of an empty venv plus `pip install` of the runtime stack; the venv."""
    pip = [folder / "bin" / "python", "-m", "pip", "--disable-pip-version-check"]
    seconds = timed([sys.executable, "-m", "venv", folder], folder.parent)
    seconds += timed([*pip, "install", "--quiet", *runtime_stack()], folder.parent)
    return seconds, folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="rounds of (a) and (b)")
    rounds = parser.parse_args().repeat
    ways = {"a": run_py_setup, "b": bare_install}
    times: dict[str, list[float]] = {"a": [], "b": []}
    disk: dict[str, tuple[float, int]] = {}  # size and package count of each environment
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(rounds):
            for way in ("a", "b") if n % 2 == 0 else ("b", "a"):
                seconds, venv = ways[way](Path(tmp) / f"{way}{n}")
                times[way].append(seconds)
                disk[way] = size_mb(venv), packages(venv)
        repo = Path(tmp) / "a0"
        test_time = timed([sys.executable, "run.py", "setup", "test"], repo)
        disk["c"] = size_mb(repo / ".venv"), packages(repo / ".venv")
    times["c"] = [test_time]

    names = {
        "a": "(a) `python3 run.py setup` (what `report` does first)",
        "b": "(b) bare `pip install` of the runtime stack",
        "c": "(c) test layer added to (a) (`python3 run.py setup test`)",
    }
    print("| set-up | wall time (fastest) | every round | disk | packages |")
    print("|---|---|---|---|---|")
    for way, name in names.items():
        each = ", ".join(f"{s:.0f}" for s in times[way])
        mb, count = disk[way]
        print(f"| {name} | {min(times[way]):.0f} s | {each} s | {mb:,.0f} MB | {count} |")
    ratio = min(times["a"]) / min(times["b"])
    verdict = "meets" if ratio <= TARGET else "misses"
    print(f"\nRatio (a)/(b): {ratio:.2f} ({verdict} the target of at most {TARGET}).")
    total = min(times["a"]) + test_time
    print(f"Runtime and test layers together: {total:.0f} s and {disk['c'][0]:,.0f} MB.")


if __name__ == "__main__":
    main()
