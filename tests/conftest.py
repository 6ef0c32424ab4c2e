"""Shared fixtures: paths of the repository and a scratch copy of the published tables."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "raw" / "published"
DESCRIPTOR = PUBLISHED / "datapackage.json"


def copy_package(folder: Path, tmp_path: Path) -> Path:
    """A writable copy of a data package folder; returns its descriptor."""
    shutil.copytree(folder, tmp_path / folder.name)
    return tmp_path / folder.name / "datapackage.json"


@pytest.fixture
def package(tmp_path) -> Path:
    """A writable copy of the published data package; returns its descriptor."""
    return copy_package(PUBLISHED, tmp_path)


def edit_cell(path: Path, row_id: str, column: str, value: str, key: str = "row_id") -> int:
    """Set one cell of a CSV; return the line number of the row changed."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for i, row in enumerate(rows):
        if row[key] == row_id:
            row[column] = value
            line = i + 2
            break
    else:
        raise KeyError(row_id)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return line


SNAKEMAKE = Path(sys.executable).with_name("snakemake")
GENERATED = ("results", "data/processed", "logs", ".snakemake", ".venv", ".git")


def copy_repo(dest: Path) -> Path:
    """The repository's sources without anything generated."""
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache")

    def ignore(folder, names):
        rel = Path(folder).relative_to(ROOT)
        generated = {n for n in names if (rel / n).as_posix() in GENERATED}
        return generated | skip(folder, names)

    shutil.copytree(ROOT, dest, ignore=ignore)
    return dest


def snakemake(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """Run Snakemake in `repo`, capturing its output."""
    return subprocess.run([SNAKEMAKE, *args], cwd=repo, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory) -> Path:
    """One complete run of the default configuration, from clean, shared by the tests."""
    repo = copy_repo(tmp_path_factory.mktemp("run") / "repo")
    done = snakemake(repo)
    assert done.returncode == 0, done.stderr[-3000:]
    return repo
