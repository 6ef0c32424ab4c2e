"""Shared fixtures: paths of the repository and a scratch copy of the published tables."""

import csv
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = ROOT / "data" / "raw" / "published"
DESCRIPTOR = PUBLISHED / "datapackage.json"


@pytest.fixture
def package(tmp_path) -> Path:
    """A writable copy of the published data package; returns its descriptor."""
    shutil.copytree(PUBLISHED, tmp_path / "published")
    return tmp_path / "published" / "datapackage.json"


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
