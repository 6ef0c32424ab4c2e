"""Which generated tables each report includes: the one list the workflow and the code share.

The workflow declares these files as outputs of `report_inputs` (so each is a tracked
edge of the DAG) and `report.tables.fragments` must produce exactly them. This module
imports nothing heavy: the Snakefile reads it on every start.
"""

from __future__ import annotations

BOTH = (
    "key_data",
    "parental",
    "family",
    "child",
    "neglect_adversity",
    "review_methods",
    "agreement",
    "subgroups",
    "quarantine",
    "software",
    "checksums",
)
# The national report also checks the published tables and has the evidence chapters.
NATIONAL_ONLY = (
    "comparison",
    "cleaning",
    "paths",
    *(
        f"bruising_{t}"
        for t in (
            "studies",
            "selection",
            "pooled",
            "loo",
            "subgroups",
            "assumptions",
            "scenarios",
            "monte_carlo",
            "audit",
        )
    ),
    *(f"trend_{t}" for t in ("models", "joinpoints", "contrasts", "backtest", "forecasts")),
    *("panel_findings", "extrafamilial_harm", "early_help", "then_and_now", "not_used"),
    "provenance",
    "not_printed",
)


def table_files(national: bool) -> list[str]:
    """File names of the generated tables (`tbl_<name>.md`) of the national or local report."""
    names = BOTH + (NATIONAL_ONLY if national else ())
    return [f"tbl_{name}.md" for name in names]
