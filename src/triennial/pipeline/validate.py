"""Rules that check the raw data packages before any result of the run is written.

The analysis rules read these packages again (each reader checks what it reads); these
rules only make sure a bad package stops the run before the first file under results/.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from triennial.data.bruising_inputs import FIGURES, read_figures
from triennial.data.panel import read_panel
from triennial.data.series import read_trends
from triennial.data.studies import read_bruising
from triennial.pipeline.step import log, write_json


def read_package(kind: str, descriptor: Path, series: Path) -> dict[str, pd.DataFrame]:
    """Every table of one package, read with its own checks (DataError on any problem).
    The panel's figures are checked against the bases printed in the trend series."""
    if kind == "trends":
        return dict(zip(("series", "denominators"), read_trends(descriptor), strict=True))
    if kind == "bruising":
        tables = dict(zip(("studies", "procedures_audit"), read_bruising(descriptor), strict=True))
        return tables | {FIGURES: read_figures(descriptor)}
    if kind == "panel":
        panel = read_panel(descriptor, read_trends(series)[0])
        return {
            "figures": panel.figures,
            "comparisons": panel.comparisons,
            "not_used": panel.not_used,
        }
    raise ValueError(f"no reader for a package of kind {kind!r}")


def validate_package(kind: str, descriptor: str, series: str, report: str) -> None:
    """Check one package; write a summary of its tables (the run stops on any problem)."""
    tables = read_package(kind, Path(descriptor), Path(series))
    summary = {
        "descriptor": descriptor,
        "tables": {name: len(frame) for name, frame in tables.items()},
        "rows": sum(len(frame) for frame in tables.values()),
        "status": "valid",
    }
    write_json(summary, report)
    log.info("%s: %d rows in %d tables: valid", descriptor, summary["rows"], len(tables))
