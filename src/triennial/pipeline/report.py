"""The report_inputs rule: `_variables.yml` and the Markdown tables the report includes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from triennial.data import published
from triennial.data.bruising_inputs import read_inputs
from triennial.data.results import read_comparison, read_prevalence
from triennial.data.studies import read_bruising
from triennial.pipeline.step import log
from triennial.report.provenance import read_package
from triennial.report.tables import fragments, quarantine_reasons
from triennial.report.variables import ReportData, variables

BRUISING_TABLES = ("base_rates", "audit", "pooled", "leave_one_out", "scenarios", "ppv")
BRUISING_TABLES += ("one_way", "monte_carlo", "period", "selection", "subgroups")
TREND_TABLES = ("models", "joinpoints", "backtest", "forecasts", "contrasts", "harm_share")
PACKAGES = ("published", "bruising", "trends", "panel")
PANEL_TABLES = ("figures", "then_and_now", "not_used")


def load(inp, national: bool, meta: dict, threshold: int, method: str, bruising: dict):
    """The report's data; the published-table inputs exist only for the national report."""
    data = ReportData(
        meta=meta,
        national=national,
        prev=read_prevalence(inp.prevalence),
        extract=json.loads(Path(inp.extract_summary).read_text(encoding="utf-8")),
        agreement=pd.read_csv(inp.agreement),
        subgroup_tests=pd.read_csv(inp.subgroup_tests),
        quarantine=quarantine_reasons(pd.read_csv(inp.quarantine, dtype=str)),
        software=pd.read_csv(inp.software, dtype=str),
        inputs=pd.read_csv(inp.checksums, dtype={"file": str, "bytes": int, "sha256": str}),
        threshold=threshold,
        coverage=pd.read_csv(inp.coverage),
        coverage_grid=pd.read_csv(inp.coverage_grid, usecols=["nobs", "p"]),
    )
    data.disclosure = pd.read_csv(inp.disclosure)
    if national:
        data.clean = published.read_clean(inp.clean)
        data.comparison = read_comparison(inp.comparison)
        data.changes = pd.read_csv(inp.cleaning_log, dtype=str, keep_default_na=False)
        data.paths = pd.read_csv(inp.paths)
        studies, _ = read_bruising(Path(inp.bruising_studies))
        data.bruising = {
            "tables": {t: pd.read_csv(inp[f"bruising_{t}"]) for t in BRUISING_TABLES},
            "inputs": read_inputs(Path(inp.bruising_studies), bruising),
            "studies": studies,
            "interval_method": method,
        }
        data.trends = {t: pd.read_csv(inp[f"trends_{t}"]) for t in TREND_TABLES}
        data.panel = {t: pd.read_csv(inp[f"panel_{t}"]) for t in PANEL_TABLES}
        packages = {name: read_package(Path(inp[f"package_{name}"])) for name in PACKAGES}
        # the provenance appendix counts the tables of figures (those with a status)
        data.packages = {
            name: {t: table for t, table in tables.items() if "status" in table}
            for name, tables in packages.items()
        }
    return data


def report_inputs(inp, out, national: bool, meta: dict, threshold: int, method: str, bruising):
    """Write every number (`out.variables`) and table (`out.tables`) the report uses.

    Only the tables the rule declares (`report.contents`) are written, each a DAG edge.
    """
    data = load(inp, national, meta, threshold, method, bruising)
    text = yaml.safe_dump(variables(data), sort_keys=True, allow_unicode=True, width=1000)
    Path(out.variables).parent.mkdir(parents=True, exist_ok=True)
    Path(out.variables).write_text(text, encoding="utf-8")
    generated = fragments(data)
    for path in map(Path, out.tables):
        path.write_text(generated[path.name], encoding="utf-8")
        log.info("wrote %s", path)
