"""Rule report_inputs: _variables.yml and the Markdown tables the report includes."""

from pathlib import Path

import pandas as pd
import yaml

from triennial import published, reportvars
from triennial.compare import read_comparison
from triennial.prevalence import read_prevalence
from triennial.steps import log, run_step


def main(inp, variables: str, tables: list[str], meta: dict) -> None:
    """Write every number and table the report uses, from the results tables.

    Only the tables the rule declares are written, so each is a tracked DAG edge.
    """
    clean = published.read_clean(inp.clean)
    prev = read_prevalence(inp.prevalence)
    comparison = read_comparison(inp.comparison)
    changes = pd.read_csv(inp.cleaning_log, dtype=str, keep_default_na=False)
    software = pd.read_csv(inp.software, dtype=str)
    inputs = pd.read_csv(inp.checksums, dtype={"file": str, "bytes": int, "sha256": str})

    values = reportvars.variables(meta, clean, prev, comparison, changes)
    text = yaml.safe_dump(values, sort_keys=True, allow_unicode=True, width=1000)
    Path(variables).parent.mkdir(parents=True, exist_ok=True)
    Path(variables).write_text(text, encoding="utf-8")
    generated = reportvars.fragments(clean, prev, comparison, changes, software, inputs)
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
            dict(snakemake.params.meta),
        ),
        snakemake.log[0],
    )
