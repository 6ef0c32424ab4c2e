"""Rule report_inputs: _variables.yml and the Markdown tables the report includes."""

import json
from pathlib import Path

import pandas as pd
import yaml

from triennial.analysis.comparison import read_comparison
from triennial.analysis.prevalence import read_prevalence
from triennial.data import published
from triennial.data.studies import read_bruising
from triennial.pipeline.step import log, run_step
from triennial.report.provenance import read_package
from triennial.report.tables import fragments, quarantine_reasons
from triennial.report.variables import ReportData, variables

BRUISING_TABLES = ("base_rates", "audit", "pooled", "leave_one_out", "scenarios", "ppv")
BRUISING_TABLES += ("one_way", "monte_carlo", "period")
TREND_TABLES = ("models", "joinpoints", "forecasts", "contrasts", "harm_share")
PACKAGES = ("published", "bruising", "trends")


def load(inp, meta: dict, threshold: int, bruising: dict) -> ReportData:
    """The report's data; the published-table inputs exist only for the national report."""
    national = "clean" in inp.keys()
    data = ReportData(
        meta=meta,
        prev=read_prevalence(inp.prevalence),
        extract=json.loads(Path(inp.extract_summary).read_text(encoding="utf-8")),
        agreement=pd.read_csv(inp.agreement),
        subgroup_tests=pd.read_csv(inp.subgroup_tests),
        quarantine=quarantine_reasons(pd.read_csv(inp.quarantine, dtype=str)),
        software=pd.read_csv(inp.software, dtype=str),
        inputs=pd.read_csv(inp.checksums, dtype={"file": str, "bytes": int, "sha256": str}),
        threshold=threshold,
        coverage=pd.read_csv(inp.coverage),
    )
    if national:
        data.clean = published.read_clean(inp.clean)
        data.comparison = read_comparison(inp.comparison)
        data.changes = pd.read_csv(inp.cleaning_log, dtype=str, keep_default_na=False)
        data.paths = pd.read_csv(inp.paths)
        studies, _ = read_bruising(Path(inp.bruising_studies))
        data.bruising = {
            "tables": {t: pd.read_csv(inp[f"bruising_{t}"]) for t in BRUISING_TABLES},
            "inputs": bruising,
            "studies": studies,
        }
        data.trends = {t: pd.read_csv(inp[f"trends_{t}"]) for t in TREND_TABLES}
        data.packages = {name: read_package(Path(inp[f"package_{name}"])) for name in PACKAGES}
    return data


def main(inp, variables_path: str, tables: list[str], params) -> None:
    """Write every number and table the report uses, from the results tables.

    Only the tables the rule declares are written, so each is a tracked DAG edge.
    """
    data = load(inp, dict(params.meta), params.threshold, dict(params.bruising))
    text = yaml.safe_dump(variables(data), sort_keys=True, allow_unicode=True, width=1000)
    Path(variables_path).parent.mkdir(parents=True, exist_ok=True)
    Path(variables_path).write_text(text, encoding="utf-8")
    generated = fragments(data)
    for path in map(Path, tables):
        path.write_text(generated.pop(path.name), encoding="utf-8")
        log.info("wrote %s", path)
    for name in generated:
        log.warning("table %s is generated but not declared by the rule: not written", name)


if __name__ == "__main__":
    run_step(
        lambda: main(
            snakemake.input,
            snakemake.output.variables,
            snakemake.output.tables,
            snakemake.params,
        ),
        snakemake.log[0],
    )
