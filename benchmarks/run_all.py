"""Benchmarks of the whole pipeline on this machine; prints a Markdown table.

    python benchmarks/run_all.py            # about 3 minutes on 2 cores

Runs, in a scratch copy of the repository (so the working tree is untouched):
1. the full run from clean (`snakemake`, all cores, as the default profile sets);
2. a second `snakemake` with nothing to do;
3. a dry run (`snakemake -n`);
4. the report rendering alone (`snakemake --forcerun render_report`), HTML and PDF;
and then the 1,000,000-review extract benchmark (benchmarks/extract_1m.py).
Targets (issue 7): full run < 60 s, no-op < 3 s, extract ratio < 3, peak memory < 4 GB;
rendering both formats < 20 s with the fallback engine.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = Path(sys.executable).with_name("snakemake")
SKIP = {"results", "logs", ".snakemake", ".venv", ".git", ".pytest_cache", ".ruff_cache"}


def timed(args: list[str], cwd: Path) -> float:
    """Wall time of a command that must succeed."""
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def copy(dest: Path) -> Path:
    def ignore(folder, names):
        rel = Path(folder).relative_to(ROOT)
        return {n for n in names if n in SKIP and rel == Path(".")} | {
            n for n in names if (rel / n).as_posix() == "data/processed"
        }

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy(Path(tmp) / "repo")
        rows = [
            ("full run from clean (`snakemake`)", timed([str(SNAKEMAKE)], repo), "< 60 s"),
            ("second run, nothing to do", timed([str(SNAKEMAKE)], repo), "< 3 s"),
            ("dry run (`snakemake -n`)", timed([str(SNAKEMAKE), "-n"], repo), ""),
            (
                "report rendering, HTML and PDF (`--forcerun render_report`)",
                timed([str(SNAKEMAKE), "--forcerun", "render_report"], repo),
                "< 20 s",
            ),
        ]
    print("| what | wall time | target |")
    print("|---|---|---|")
    for name, seconds, target in rows:
        print(f"| {name} | {seconds:.1f} s | {target} |")
    print()
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "extract_1m.py")], check=True)


if __name__ == "__main__":
    main()
