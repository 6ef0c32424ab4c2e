"""Benchmarks of the whole pipeline on this machine; prints Markdown tables.

    python benchmarks/run_all.py            # about 4 minutes on 2 cores

Runs, in scratch copies of the repository (so the working tree is untouched):
1. the full run from clean (`snakemake`, all cores, as the default profile sets), side by
   side with the same run of the baseline commit BASELINE (before the package moved into
   layers), in the same environment, two rounds in alternating order, the fastest of each:
   the ratio must not exceed 1;
2. a second `snakemake` with nothing to do, and a dry run;
3. a report-only rerun: one sentence of report/triennial-report.qmd edited, then
   `snakemake` (it reruns render_report and the manifest), side by side with the render
   job alone (`snakemake --forcerun render_report --until render_report`: Snakemake's
   start-up and that one job): ratio at most 1.5;
and then the 1,000,000-review extract benchmark (benchmarks/extract_1m.py).
Set-up is measured by benchmarks/setup.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
BASELINE = "f140621"  # the last commit before the layers (issue 10)
SKIP = {"results", "logs", ".snakemake", ".venv", ".git", ".pytest_cache", ".ruff_cache"}


def timed(args: list[str], cwd: Path, env: dict | None = None) -> float:
    """Wall time of a command that must succeed."""
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def copy(dest: Path) -> Path:
    """The working tree without outputs or environments."""

    def ignore(folder, names):
        rel = Path(folder).relative_to(ROOT)
        return {n for n in names if n in SKIP and rel == Path(".")} | {
            n for n in names if (rel / n).as_posix() == "data/processed"
        }

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def baseline(dest: Path) -> Path:
    """The baseline commit's tree (git archive), to run with its own source on PYTHONPATH."""
    dest.mkdir()
    archive = subprocess.run(
        ["git", "archive", BASELINE], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def clean(repo: Path) -> None:
    """Remove every output of a run, so the next one starts from clean."""
    # everything in results/ but its README: the baseline's results/tables, ... and this
    # tree's results/<analysis>/ folders alike
    outputs = [p for p in (repo / "results").glob("*") if p.name != "README.md"]
    for path in [*outputs, *(repo / name for name in ("data/processed", "logs", ".snakemake"))]:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def edit_a_sentence(repo: Path) -> None:
    qmd = repo / "report" / "triennial-report.qmd"
    qmd.write_text(qmd.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")


def main() -> None:
    # As run.py does: where PYTHONDONTWRITEBYTECODE is set, every job of both trees would
    # compile the project's modules again, which is not what a researcher's run does.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy(Path(tmp) / "repo")
        old = baseline(Path(tmp) / "baseline")
        old_env = {**os.environ, "PYTHONPATH": str(old / "src")}
        # Two rounds in alternating order, the fastest of each: on 2 cores whichever run
        # goes first is slower by a few seconds (file caches, the other core's work).
        full, full_old = [], []
        for order in (("new", "baseline"), ("baseline", "new")):
            for which in order:
                folder, env, times = (
                    (repo, None, full) if which == "new" else (old, old_env, full_old)
                )
                clean(folder)
                times.append(timed([str(SNAKEMAKE)], folder, env=env))
        full, full_old = min(full), min(full_old)
        noop = timed([str(SNAKEMAKE)], repo)
        dry = timed([str(SNAKEMAKE), "-n"], repo)
        edit_a_sentence(repo)
        rerun = timed([str(SNAKEMAKE)], repo)
        alone = timed(
            [str(SNAKEMAKE), "--forcerun", "render_report", "--until", "render_report"], repo
        )
    rows = [
        ("full run from clean (`snakemake`)", full, ""),
        (f"full run from clean, baseline {BASELINE}", full_old, ""),
        ("ratio: full run / baseline", full / full_old, "≤ 1"),
        ("second run, nothing to do", noop, "< 3 s"),
        ("dry run (`snakemake -n`)", dry, ""),
        ("report-only rerun (a sentence of the report edited)", rerun, ""),
        ("render job alone (`--forcerun render_report --until render_report`)", alone, "< 20 s"),
        ("ratio: report-only rerun / render job alone", rerun / alone, "≤ 1.5"),
    ]
    print("| what | wall time or ratio | target |")
    print("|---|---|---|")
    for name, value, target in rows:
        shown = f"{value:.2f}" if name.startswith("ratio") else f"{value:.1f} s"
        print(f"| {name} | {shown} | {target} |")
    print()
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "extract_1m.py")], check=True)


if __name__ == "__main__":
    main()
