"""One name for counts, from raw data to report (issue 10, item 2).

Counts follow statsmodels: `count` (with the characteristic), `nobs` (the number it is a
share of), `count_min`/`count_max` (a range), prefixed alike (`published_count`, ...); a
number of Monte Carlo draws is `draws`. The names retired are refused in every raw CSV
header, every schema field, every config key, every table a run writes and every report
variable; readers still see n and N, from `triennial.data.labels`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from triennial.data import labels

ROOT = Path(__file__).resolve().parents[1]
RETIRED = {"n", "N", "events", "numerator", "denominator", "base"}
RETIRED |= {f"{a}_{b}" for a in ("n", "events", "numerator") for b in ("min", "max")}


def header(path: Path) -> list[str]:
    """The first row of a CSV (comma or semicolon separated, with or without a BOM)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        first = f.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return next(csv.reader([first], delimiter=delimiter), [])


def retired_headers(folder: Path) -> dict[str, list[str]]:
    """CSV files under `folder` whose header uses a retired name, with those names."""
    out = {}
    for path in sorted(folder.rglob("*.csv")):
        found = [c for c in header(path) if c in RETIRED]
        if found:
            out[path.relative_to(folder).as_posix()] = found
    return out


def schema_fields(node) -> list[str]:
    """Every field name of every Table Schema in a JSON document."""
    if isinstance(node, list):
        return [name for item in node for name in schema_fields(item)]
    if not isinstance(node, dict):
        return []
    names = [f["name"] for f in node.get("fields", []) if isinstance(f, dict) and "name" in f]
    return names + [name for value in node.values() for name in schema_fields(value)]


def retired_fields(folder: Path) -> dict[str, list[str]]:
    out = {}
    for path in sorted(folder.rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        found = [name for name in schema_fields(doc) if name in RETIRED]
        if found:
            out[path.relative_to(folder).as_posix()] = found
    return out


def keys(tree: dict, prefix: str = "") -> list[str]:
    """Every key of a nested mapping, dotted ('bruising.pool_count')."""
    out = []
    for name, value in tree.items():
        out.append(f"{prefix}{name}")
        if isinstance(value, dict):
            out += keys(value, f"{prefix}{name}.")
    return out


def retired_keys(dotted: list[str]) -> list[str]:
    """Keys named by a retired name, or ending in _n or _N (a count by another name)."""
    return [
        k
        for k in dotted
        if (last := k.rsplit(".", 1)[-1]) in RETIRED or last.endswith(("_n", "_N"))
    ]


def test_the_checks_find_a_retired_name(tmp_path):
    (tmp_path / "t.csv").write_text("row_id,numerator,nobs\nx,1,2\n", encoding="utf-8")
    (tmp_path / "u.csv").write_text("\ufeffa;n_min;count\n", encoding="utf-8")
    schema = {"fields": [{"name": "count"}, {"name": "base"}]}
    (tmp_path / "s.json").write_text(json.dumps({"resources": [{"schema": schema}]}))
    assert retired_headers(tmp_path) == {"t.csv": ["numerator"], "u.csv": ["n_min"]}
    assert retired_fields(tmp_path) == {"s.json": ["base"]}
    assert retired_keys(["pool_count", "bruising.pool_n", "t1.N", "backtest_n_total"]) == [
        "bruising.pool_n",
        "t1.N",
    ]


def test_raw_csv_headers_use_no_retired_name():
    assert retired_headers(ROOT / "data/raw") == {}


def test_schema_fields_use_no_retired_name():
    assert retired_fields(ROOT / "data/raw") == {}


def test_config_keys_use_no_retired_name():
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())

    def properties(props: dict, prefix: str = "") -> list[str]:
        out = []
        for name, spec in props.items():
            out.append(f"{prefix}{name}")
            out += properties(spec.get("properties", {}), f"{prefix}{name}.")
        return out

    assert retired_keys(properties(schema["properties"])) == []


def test_readers_see_n_and_n_from_one_place():
    assert (labels.COUNT, labels.NOBS, labels.COUNT_OF_NOBS) == ("n", "N", "n/N")


@pytest.mark.pipeline
def test_no_table_a_run_writes_uses_a_retired_name(pipeline_run):
    found = {}
    for folder in ("results", "data/processed"):
        found |= {f"{folder}/{k}": v for k, v in retired_headers(pipeline_run / folder).items()}
    assert found == {}


@pytest.mark.pipeline
def test_no_report_variable_is_named_by_a_retired_name(pipeline_run):
    found = []
    for path in sorted((pipeline_run / "results").rglob("_variables.yml")):
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [f"{path.parent}: {k}" for k in retired_keys(keys(tree))]
    assert found == []
