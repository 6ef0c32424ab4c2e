"""Every figure is traceable to a publication a reader can open, and no source is copied.

- every `source` and `primary_source` of every raw table is a key of the registry of sources
  (report/references.bib), whose entry has a DOI or URL; data packages point at no file;
- quotes are short, and those taken from a source or from the transcription notes occur
  verbatim in a captured copy of it (when captured copies are at hand: TRIENNIAL_SOURCES_DIR,
  default /work/shared/seeds and /work/shared/reference; skipped otherwise);
- no committed file is a copy of a source document: it shares no run of 50 words with one,
  checked against the documents when at hand and, always, against their fingerprints.
"""

import csv
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from triennial.checks.copies import RUN, SAMPLE, fingerprints, shared_runs

PACKAGES = [
    ROOT / "data/raw/published/datapackage.json",
    ROOT / "data/raw/published/bruising/datapackage.json",
    ROOT / "data/raw/published/trends/datapackage.json",
    ROOT / "data/raw/published/panel/datapackage.json",
]
# Raw tables that hold no figures, and so no source, quote or status: why each is exempt.
NO_FIGURES = {
    "comparisons.csv": "pairs rows of figures.csv (both sourced there) and records the project's "
    "own judgement of whether their definitions compare; it prints no figure of any source",
}
REGISTRY = ROOT / "report" / "references.bib"
FINGERPRINTS = ROOT / "tests" / "source_fingerprints.txt"
DEFAULT_CAPTURES = "/work/shared/seeds" + os.pathsep + "/work/shared/reference"
MAX_QUOTE_WORDS = 40  # "at most about 30 words"
STATUSES = {"printed", "derived", "assumed", "second-hand", "unchecked"}


def registry() -> dict[str, str]:
    """Registry entries by key (the entry's text)."""
    text = REGISTRY.read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"@\w+\{(\w+),.*?\n\}", text, re.S)}


def all_tables():
    for descriptor in PACKAGES:
        for resource in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]:
            yield descriptor.parent / resource["path"]


def tables():
    return (t for t in all_tables() if t.name not in NO_FIGURES)


def rows(table: Path) -> list[dict]:
    with open(table, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def captures() -> list[Path]:
    folders = os.environ.get("TRIENNIAL_SOURCES_DIR", DEFAULT_CAPTURES).split(os.pathsep)
    return sorted(f for d in map(Path, folders) if d.is_dir() for f in d.iterdir() if f.is_file())


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


TABLES = list(tables())


def test_every_raw_table_has_source_quote_and_status_columns_or_a_stated_exemption():
    """A table of figures carries its provenance in columns; one without names why."""
    for table in all_tables():
        with open(table, encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        if table.name in NO_FIGURES:
            assert "status" not in header and NO_FIGURES[table.name], table.name
            continue
        missing = {"source", "locator", "quote", "quote_from", "status"} - set(header)
        assert not missing, (table.name, missing)


@pytest.mark.parametrize("table", TABLES, ids=lambda p: p.name)
def test_every_source_is_a_registry_key_with_a_doi_or_url(table):
    entries = registry()
    for r in rows(table):
        where = (table.name, r.get("row_id"))
        for column in ("source", "primary_source"):
            key = r.get(column)
            if column == "primary_source" and not key:
                continue
            assert key in entries, (*where, column, key)
            assert re.search(r"^\s*(doi|url)\s*=", entries[key], re.M), (*where, key, "no DOI/URL")
        assert r["status"] in STATUSES, where


@pytest.mark.parametrize("table", TABLES, ids=lambda p: p.name)
def test_quotes_are_short(table):
    for r in rows(table):
        assert 0 < len(r["quote"].split()) <= MAX_QUOTE_WORDS, (table.name, r.get("row_id"))


def test_second_hand_figures_name_their_primary():
    for table in TABLES:
        for r in rows(table):
            if r["status"] == "second-hand":
                assert r["primary_source"], (table.name, r.get("row_id"))


def test_data_packages_point_at_no_file():
    """A package's sources are publications (URLs), never paths in or outside the repository."""
    for descriptor in PACKAGES:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
        for resource in package["resources"]:
            keys = {r.get("source") for r in rows(descriptor.parent / resource["path"])} - {None}
            listed = set()
            for source in resource["sources"]:
                assert source.get("path", "https://").startswith("https://"), source
                for found in re.findall(r"registry keys? ([\w, ]+)\]", source["title"]):
                    listed |= set(found.replace(",", " ").split())
            assert keys <= listed, (resource["name"], keys - listed)


@pytest.mark.parametrize("table", TABLES, ids=lambda p: p.name)
def test_quotes_occur_in_the_captured_sources(table):
    """A quote may join excerpts with ' [...] '; each occurs verbatim, spaces aside."""
    documents = captures()
    if not documents:
        pytest.skip("no captured source documents (set TRIENNIAL_SOURCES_DIR)")
    text = " ".join(normalise(d.read_text(encoding="utf-8")) for d in documents)
    checked = 0
    for r in rows(table):
        if r["quote_from"] == "abstract":
            continue  # checked against the publication's own abstract page, not captured
        for part in r["quote"].split(" [...] "):
            assert normalise(part) in text, (table.name, r.get("row_id"), part)
        checked += 1
    assert checked or all(r["quote_from"] == "abstract" for r in rows(table))


def tracked_text_files() -> dict[str, str]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    out = {}
    for name in filter(None, names):
        path = ROOT / name
        if path.name == FINGERPRINTS.name or not path.is_file():
            continue
        try:
            out[name] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: figures, spreadsheets
    return out


def known_fingerprints() -> set[str]:
    return set(FINGERPRINTS.read_text(encoding="utf-8").split())


def test_no_tracked_file_copies_a_source_document():
    known = known_fingerprints()
    documents = captures()
    for document in documents:  # every run, not a sample, where the documents are at hand
        known |= fingerprints(document.read_text(encoding="utf-8"))
    copies = {
        name: n for name, text in tracked_text_files().items() if (n := shared_runs(text, known))
    }
    assert not copies, f"files sharing runs of {RUN} words with a source document: {copies}"


def test_the_fingerprints_catch_a_copy_and_spare_quotes():
    """The detector can fail: a copied page is caught, the data's quotes are not."""
    page = " ".join(f"word{i % 97} filler{i}" for i in range(2000))
    prints = fingerprints(page, SAMPLE)
    assert shared_runs(page[len(page) // 3 :], prints) > 0
    quotes = " ".join(r["quote"] for t in TABLES for r in rows(t))
    assert shared_runs(quotes, prints) == 0
    documents = captures()
    if documents:
        text = documents[0].read_text(encoding="utf-8")
        assert shared_runs(" ".join(text.split()[1000:1600]), known_fingerprints()) > 0


def test_no_source_names_a_captured_file():
    for table in TABLES:
        for r in rows(table):
            for column in ("source", "primary_source", "locator", "note"):
                value = r.get(column) or ""
                assert not re.search(r"\.(txt|md|html?)\b|seed \d", value), (
                    table.name,
                    r.get("row_id"),
                    column,
                )


# How a row's count was obtained (count_status) fixes its status, unless the row is second-hand
# or assumed for another reason; the two columns may never contradict each other.
STATUS_OF_COUNT = {
    "derived_from_percent": {"derived", "second-hand"},
    "derived_from_counts": {"derived", "second-hand"},
    "derived": {"derived"},
    "quoted_second_hand": {"second-hand"},
}


@pytest.mark.parametrize("table", TABLES, ids=lambda p: p.name)
def test_status_agrees_with_how_the_count_was_obtained(table):
    for r in rows(table):
        allowed = STATUS_OF_COUNT.get(r.get("count_status"), STATUSES - {"derived"})
        if r.get("count_status") in (None, "printed") and r["status"] == "derived":
            continue  # a printed rate whose count is derived (note says how), or a correction
        assert r["status"] in allowed, (table.name, r.get("row_id"), r.get("count_status"))
