"""Every transcribed figure's quote appears verbatim in its source document."""

import csv
import json
import re

import pytest
from conftest import ROOT

SOURCES = ROOT / "data" / "raw" / "sources"
PACKAGES = [
    ROOT / "data/raw/published/datapackage.json",
    ROOT / "data/raw/published/bruising/datapackage.json",
    ROOT / "data/raw/published/trends/datapackage.json",
]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def quoted_tables():
    for descriptor in PACKAGES:
        for resource in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]:
            yield descriptor.parent / resource["path"]


@pytest.mark.parametrize("table", list(quoted_tables()), ids=lambda p: p.name)
def test_every_quote_is_in_its_source(table):
    """A quote may join excerpts with ' [...] '; each must appear, spaces aside."""
    texts = {}
    for row in csv.DictReader(open(table, encoding="utf-8")):
        source = row["source_file"]
        if source not in texts:
            texts[source] = normalise((SOURCES / source).read_text(encoding="utf-8"))
        for part in row["source_quote"].split(" [...] "):
            assert normalise(part) in texts[source], (row.get("row_id"), part)
